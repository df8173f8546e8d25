package io.proclens.cgroup;

import io.proclens.sys.RawFiles;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * When a process started, in clock ticks since boot, from {@code /proc/PID/stat}: with the pid, what tells a process
 * from a later one that reuses its pid. Read on every rendering, so {@link #read} allocates nothing; {@link #parse}
 * is the plain parse that explains a malformed file. Thread-safe: the buffers are per thread.
 */
final class StartTimes {
    /** {@code procRoot} as the bytes of a C path. */
    private final byte[] procRootBytes;

    StartTimes(Path procRoot) {
        this.procRootBytes = procRoot.toString().getBytes(UTF_8);
    }

    /**
     * Field 22 (starttime) of a {@code /proc/PID/stat} text. Field 2, the command name in parentheses, may
     * hold spaces and parentheses of its own, so fields are counted from the last ')'.
     *
     * @throws CgroupException MALFORMED if there is no ')' or too few fields, or the field is not a counter
     */
    static long parse(String stat, Path file) {
        return statField(stat, 22, file);
    }

    /** Numeric field {@code number} (counted from 1, as in proc(5); 4 or more) of a stat text. */
    static long statField(String stat, int number, Path file) {
        int close = stat.lastIndexOf(')');
        if (close < 0) throw CgroupFiles.malformed(file, stat, "no ')' after the command name");
        String[] fields = stat.substring(close + 1).strip().split(" ");
        // fields[0] is field 3 (state)
        if (fields.length < number - 2) throw CgroupFiles.malformed(file, stat, "fewer than " + number + " fields");
        return CgroupFiles.parseCounter(fields[number - 3], file);
    }

    /** Per thread: the path and the bytes of a stat file, in native memory for {@link RawFiles#read}. */
    private static final class StatScratch {
        final MemorySegment path;
        final MemorySegment bytes;

        StatScratch() {
            Arena arena = Arena.ofAuto(); // freed with the thread's scratch
            path = arena.allocate(4096);   // PATH_MAX
            bytes = arena.allocate(4096);  // a stat line is a few hundred bytes
        }
    }

    private static final ThreadLocal<StatScratch> STAT_SCRATCH = ThreadLocal.withInitial(StatScratch::new);
    private static final byte[] STAT_NAME = "/stat\0".getBytes(UTF_8);

    /**
     * Field 22 of {@code /proc/PID/stat}, allocating nothing: the path is written and the file read into per-thread
     * native buffers (raw open, pread, close) and parsed in place. -1 when anything is unusual (absent, longer than
     * the buffer, not in the kernel's own form): the caller then takes {@link #parse}, which says what is wrong.
     */
    long read(int pid) {
        StatScratch scratch = STAT_SCRATCH.get();
        if (!statPath(scratch.path, pid)) return -1;
        MemorySegment bytes = scratch.bytes;
        long end = RawFiles.read(scratch.path, bytes);
        if (end <= 0 || end >= bytes.byteSize()) return -1;
        long close = -1;
        for (long i = end - 1; i >= 0; i--) {
            if (bytes.get(JAVA_BYTE, i) == ')') {
                close = i;
                break;
            }
        }
        if (close < 0) return -1;
        // After ')' come field 3 (the state, one letter) ... field 22 (starttime), each after exactly one blank,
        // as the kernel writes them; anything else (two blanks, a tab, an empty field) is for the slow path.
        if (close + 3 > end || bytes.get(JAVA_BYTE, close + 1) != ' ' || !asciiLetter(bytes.get(JAVA_BYTE, close + 2))) {
            return -1;
        }
        long i = close + 3;
        for (int field = 4; field < 22; field++) {
            if (i >= end || bytes.get(JAVA_BYTE, i) != ' ') return -1;
            long start = ++i;
            while (i < end && Byte.toUnsignedInt(bytes.get(JAVA_BYTE, i)) > ' ') i++;
            if (i == start) return -1;
        }
        if (i >= end || bytes.get(JAVA_BYTE, i) != ' ') return -1;
        i++;
        long value = 0;
        int digits = 0;
        for (byte b; i < end && (b = bytes.get(JAVA_BYTE, i)) >= '0' && b <= '9' && digits < 18; i++, digits++) {
            value = value * 10 + (b - '0');
        }
        boolean endOfField = i == end || bytes.get(JAVA_BYTE, i) == ' ' || (bytes.get(JAVA_BYTE, i) == '\n' && i == end - 1);
        return digits > 0 && endOfField ? value : -1;
    }

    private static boolean asciiLetter(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    }

    /** Writes "PROCROOT/PID/stat" and a NUL into {@code path}; false if it does not fit. */
    private boolean statPath(MemorySegment path, int pid) {
        int digits = 1;
        for (int rest = pid / 10; rest > 0; rest /= 10) digits++;
        long length = procRootBytes.length + 1 + digits + STAT_NAME.length;
        if (pid <= 0 || length > path.byteSize()) return false;
        MemorySegment.copy(procRootBytes, 0, path, JAVA_BYTE, 0, procRootBytes.length);
        long at = procRootBytes.length;
        path.set(JAVA_BYTE, at, (byte) '/');
        for (int rest = pid, d = digits; d > 0; rest /= 10, d--) {
            path.set(JAVA_BYTE, at + d, (byte) ('0' + rest % 10));
        }
        MemorySegment.copy(STAT_NAME, 0, path, JAVA_BYTE, at + 1 + digits, STAT_NAME.length);
        return true;
    }

}
