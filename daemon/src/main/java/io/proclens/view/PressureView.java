package io.proclens.view;

import java.util.Objects;
import java.util.Optional;

/**
 * /proc/pressure/{cpu,io,memory} as a container sees it: its cgroup's {@code cpu.pressure}, {@code io.pressure}
 * or {@code memory.pressure}, which the kernel writes in the same format as the system-wide files:
 * <pre>
 * some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * </pre>
 * The "full" line is absent from the system-wide {@code cpu} file before Linux 5.13, so it is optional; "some" is
 * not. Averages are percentages printed "%lu.%02lu"; total is the stall time in microseconds (an unsigned 64-bit
 * counter).
 *
 * <p>Validation, not repair: the text is parsed strictly (a "some" line, then at most a "full" line, each exactly
 * the four fields in that order) and printed back in the kernel's format, which for the kernel's own text is the
 * same bytes. Anything else throws {@link IllegalArgumentException} naming the line and what is wrong: we never
 * invent, drop or clamp a value, so the caller answers an error (or the host's file) and logs. The only thing
 * normalized is a missing newline at the end.
 */
public final class PressureView {
    private static final String[] FIELDS = {"avg10=", "avg60=", "avg300=", "total="};
    /** Integer digits of an average we accept; a percentage has at most 3, this keeps the arithmetic exact. */
    private static final int MAX_WHOLE_DIGITS = 9;

    private PressureView() {
    }

    /**
     * The container's pressure file from its cgroup's.
     *
     * @throws IllegalArgumentException if the text is not in the kernel's pressure format
     */
    public static String render(String cgroupPressure) {
        Objects.requireNonNull(cgroupPressure, "cgroupPressure");
        return render(parse(cgroupPressure));
    }

    // ---------------------------------------------------------------- parse

    /**
     * One line of a pressure file.
     *
     * @param kind   "some" or "full"
     * @param avg10  10-second average, hundredths of a percent
     * @param avg60  60-second average, hundredths of a percent
     * @param avg300 300-second average, hundredths of a percent
     * @param total  total stall time in microseconds, unsigned
     */
    record Line(String kind, long avg10, long avg60, long avg300, long total) {
    }

    /** A whole pressure file: the "some" line and, where the kernel has one, the "full" line. */
    record Stall(Line some, Optional<Line> full) {
    }

    static Stall parse(String text) {
        if (text.isEmpty()) throw malformed(0, text, "empty");
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String[] lines = body.split("\n", -1);
        if (lines.length > 2) throw malformed(3, lines[2], "more than a 'some' and a 'full' line");
        Line some = line(1, lines[0], "some");
        Optional<Line> full = lines.length == 2 ? Optional.of(line(2, lines[1], "full")) : Optional.empty();
        return new Stall(some, full);
    }

    private static Line line(int number, String line, String kind) {
        String[] tokens = line.split(" ", -1);
        if (!tokens[0].equals(kind)) {
            throw malformed(number, line, "expected the '" + kind + "' line");
        }
        if (tokens.length != 1 + FIELDS.length) {
            throw malformed(number, line, "expected '" + kind + " avg10=A avg60=A avg300=A total=N'");
        }
        long[] values = new long[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            String token = tokens[i + 1];
            if (!token.startsWith(FIELDS[i])) throw malformed(number, line, "expected " + FIELDS[i] + " as field " + (i + 2));
            String value = token.substring(FIELDS[i].length());
            values[i] = i < 3 ? hundredths(value, number, line) : counter(value, number, line);
        }
        return new Line(kind, values[0], values[1], values[2], values[3]);
    }

    /** "12.34" as 1234: digits, a dot, exactly two digits. */
    private static long hundredths(String value, int number, String line) {
        int dot = value.indexOf('.');
        if (dot < 1 || dot > MAX_WHOLE_DIGITS || value.length() != dot + 3
                || !digits(value, 0, dot) || !digits(value, dot + 1, value.length())) {
            throw malformed(number, line, "average '" + value + "' is not a decimal with two places");
        }
        return Long.parseLong(value.substring(0, dot)) * 100 + Long.parseLong(value.substring(dot + 1));
    }

    /** An unsigned 64-bit decimal. */
    private static long counter(String value, int number, String line) {
        if (value.isEmpty() || value.length() > 20 || !digits(value, 0, value.length())) {
            throw malformed(number, line, "total '" + value + "' is not a non-negative integer");
        }
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw malformed(number, line, "total '" + value + "' is above 2^64 - 1");
        }
    }

    private static boolean digits(String s, int from, int to) {
        if (from >= to) return false;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    private static IllegalArgumentException malformed(int number, String line, String why) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return new IllegalArgumentException("malformed pressure file, line " + number + ": " + why + ": '" + shown + "'");
    }

    // ---------------------------------------------------------------- render

    static String render(Stall stall) {
        StringBuilder out = new StringBuilder(112);
        line(out, stall.some());
        stall.full().ifPresent(full -> line(out, full));
        return out.toString();
    }

    /** The kernel's "%s avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu\n". */
    private static void line(StringBuilder out, Line line) {
        out.append(line.kind());
        average(out.append(" avg10="), line.avg10());
        average(out.append(" avg60="), line.avg60());
        average(out.append(" avg300="), line.avg300());
        out.append(" total=").append(Long.toUnsignedString(line.total())).append('\n');
    }

    private static void average(StringBuilder out, long hundredths) {
        out.append(hundredths / 100).append('.');
        if (hundredths % 100 < 10) out.append('0');
        out.append(hundredths % 100);
    }
}
