package io.proclens.cgroup;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * File reading and defensive number parsing shared by {@link MemoryAndCpuReader} and {@link Processes}.
 * Stateless; every method is safe to call from any thread.
 */
final class CgroupFiles {
    /** v1 and v2 limits at or above this are "no limit" (v1 prints 9223372036854771712 for "unlimited"). */
    static final long UNLIMITED_THRESHOLD = 1L << 62;

    private static final int SHOWN_CHARS = 200;

    private CgroupFiles() {
    }

    /**
     * The whole content of a kernel file, bytes as ISO-8859-1 chars (kernel files are ASCII; this never fails to
     * decode), or {@code null} if the file does not exist.
     *
     * @throws CgroupException of kind IO_ERROR on any other I/O error
     */
    static String readOrNull(Path file) {
        try {
            return new String(Files.readAllBytes(file), ISO_8859_1);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot read " + file + ": " + e, e);
        }
    }

    /**
     * A non-negative counter: decimal digits only (surrounding whitespace ignored).
     *
     * @throws CgroupException of kind MALFORMED for anything else, including a value above {@link Long#MAX_VALUE}
     */
    static long parseCounter(String text, Path file) {
        String s = text.strip();
        long value = digits(s);
        if (value == NOT_A_NUMBER) throw malformed(file, text, "not a non-negative decimal number");
        if (value == TOO_LARGE) throw malformed(file, text, "number too large");
        return value;
    }

    /**
     * A memory limit: decimal digits, or "max" where {@code allowMax} (cgroup v2). "max", any value at or above
     * 2^62 and any value too large for a long are {@link MemoryStats#UNLIMITED}; the kernel cannot enforce a
     * limit that large, and v1 shows "unlimited" as 9223372036854771712.
     *
     * @throws CgroupException of kind MALFORMED for anything else (empty, negative, "max" in a v1 file, ...)
     */
    static long parseLimit(String text, Path file, boolean allowMax) {
        String s = text.strip();
        if (allowMax && s.equals("max")) return MemoryStats.UNLIMITED;
        long value = digits(s);
        if (value == NOT_A_NUMBER) throw malformed(file, text, allowMax ? "neither a number nor 'max'" : "not a number");
        if (value == TOO_LARGE || value >= UNLIMITED_THRESHOLD) return MemoryStats.UNLIMITED;
        return value;
    }

    /**
     * A kernel "flat keyed" file ({@code memory.stat}, {@code cpu.stat}): one "key value" per line. Lines that do
     * not have that shape are skipped (only the fields a caller asks for are validated, by
     * {@link #counterField}); for a key given twice the first wins.
     */
    static Map<String, String> flatKeyed(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0) continue;
            fields.putIfAbsent(line.substring(0, space), line.substring(space + 1));
        }
        return fields;
    }

    /**
     * The counter {@code key} of a flat keyed file, or {@code absent} if the file has no such key (older kernels
     * lack some fields).
     *
     * @throws CgroupException of kind MALFORMED if the key is there but its value is not a counter
     */
    static long counterField(Map<String, String> fields, String key, long absent, Path file) {
        String value = fields.get(key);
        if (value == null) return absent;
        try {
            return parseCounter(value, file);
        } catch (CgroupException e) {
            throw malformed(file, key + " " + value, "bad value of " + key);
        }
    }

    /** a - b, never below 0 (kernel counters are read one after another and may be inconsistent). */
    static long clampedSub(long a, long b) {
        return a > b ? a - b : 0;
    }

    static CgroupException malformed(Path file, String text, String why) {
        return new CgroupException(CgroupException.Kind.MALFORMED, file + ": " + why + ": " + quoted(text));
    }

    /** Kernel text for an error message: quoted, on one line, and short (a hostile line can be 256 KiB). */
    static String quoted(String text) {
        String shown = text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) + "..." : text;
        return "'" + shown.replace("\n", "\\n") + "'";
    }

    private static final long NOT_A_NUMBER = -1;
    private static final long TOO_LARGE = -2;

    /** The value of a string of decimal digits, NOT_A_NUMBER if it is empty or has any other char, else TOO_LARGE. */
    private static long digits(String s) {
        if (s.isEmpty()) return NOT_A_NUMBER;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return NOT_A_NUMBER;
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            int digit = s.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) return TOO_LARGE;
            value = value * 10 + digit;
        }
        return value;
    }
}
