package io.proclens.view;

/**
 * One line of the kernel's "Name:   value kB" format (/proc/meminfo, /proc/self/status), parsed and printed.
 *
 * <p>The kernel prints these lines as {@code "%-16s%8lu kB"}: the name with its colon padded to column 16, the
 * value right-aligned so that it ends at column 24 (a wider value simply pushes the end further). Tools such as
 * {@code free} only parse the numbers, but people read the file, so a virtualized line must line up with the host's
 * lines around it: {@link #format} takes the column where values end, which the caller learns from the host's file.
 *
 * @param name     the text before the first colon, e.g. {@code "MemTotal"} or {@code "Active(anon)"}
 * @param value    the number after the colon; never negative
 * @param kb       whether the number is followed by the unit {@code kB} (HugePages_Total, for one, has no unit)
 * @param valueEnd the column just after the last digit, e.g. 24 for {@code "MemTotal:       24554524 kB"}
 */
record KbLine(String name, long value, boolean kb, int valueEnd) {

    /** Where the kernel's values end ({@code %-16s%8lu}): 16 columns of name, 8 of value. */
    static final int KERNEL_VALUE_END = 24;
    /** The kernel's value width ({@code %8lu}). */
    static final int KERNEL_VALUE_WIDTH = 8;

    /**
     * Parses one line without its line terminator.
     *
     * @return the parsed line, or {@code null} when the line is not exactly "name: digits" with an optional " kB"
     *         (no number, other text after it, a number above {@link Long#MAX_VALUE}): such a line is not ours to
     *         change and the caller passes it through as it is
     */
    static KbLine parse(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0 || !isName(line, colon)) return null;
        int i = colon + 1;
        int n = line.length();
        while (i < n && isBlank(line.charAt(i))) i++;
        int start = i;
        while (i < n && line.charAt(i) >= '0' && line.charAt(i) <= '9') i++;
        int end = i;
        // 19 digits cover Long.MAX_VALUE; the kernel prints unsigned longs, anything larger is left untouched.
        if (end == start || end - start > 19) return null;
        long value;
        try {
            value = Long.parseLong(line, start, end, 10);
        } catch (NumberFormatException tooLarge) {
            return null;
        }
        String rest = line.substring(end).strip();
        if (!rest.isEmpty() && !rest.equals("kB")) return null;
        return new KbLine(line.substring(0, colon), value, rest.equals("kB"), end);
    }

    /**
     * Prints {@code name: value kB} with the value ending at {@code valueEnd}, as the kernel does: the name and colon
     * padded to {@code valueEnd - 8} (at least one space after the colon), then the value right-aligned in 8
     * columns; a value too wide for its field starts right after the name's padding, a name too long for its
     * column pushes the field right, both as the kernel's {@code "%-16s%8lu"} does. No line terminator.
     */
    static String format(String name, long value, int valueEnd) {
        String digits = Long.toString(value);
        StringBuilder out = new StringBuilder(valueEnd + 8);
        out.append(name).append(':');
        int nameEnd = Math.max(out.length() + 1, valueEnd - KERNEL_VALUE_WIDTH);
        // Normally nameEnd + 8 == valueEnd; a name too long for its column pushes the whole 8-wide field right.
        int width = Math.max(valueEnd - nameEnd, KERNEL_VALUE_WIDTH);
        int end = nameEnd + Math.max(width, digits.length());
        out.repeat(' ', end - digits.length() - out.length());
        return out.append(digits).append(" kB").toString();
    }

    private static boolean isName(String line, int colon) {
        for (int i = 0; i < colon; i++) {
            char c = line.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '(' || c == ')';
            if (!ok) return false;
        }
        return true;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
