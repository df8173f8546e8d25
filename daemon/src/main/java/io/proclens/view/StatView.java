package io.proclens.view;

import io.proclens.cgroup.CpuSet;
import io.proclens.cgroup.CpuTimes;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * /proc/stat as a cgroup sees it: one {@code cpuN} line per CPU of the cgroup's cpuset, renumbered from 0, with the
 * cgroup's own CPU time; the {@code cpu} line their sum; every other line the host's.
 *
 * <p><b>Per shown CPU</b> (host CPU c, shown as cpuN), when the cgroup's accounting is available:
 * <ul>
 * <li>user and system: the cgroup's time on c, nanoseconds / 10^7 (USER_HZ = 100 ticks a second, rounded down).
 *     Without a per-CPU split (cgroup v2), the cgroup's total user and system ticks are spread over the shown CPUs
 *     in proportion to each one's host busy time ({@code user + nice + system + irq + softirq} of its host line;
 *     evenly when they are all 0), by largest remainder so that the shares add up to the totals exactly. A CPU the
 *     host kept busy gets most of the cgroup's time, and as long as the cgroup used no more than the host's busy
 *     time of its CPUs (it can only have used more if its cpuset changed), no CPU is given more than its host
 *     busy time.</li>
 * <li>idle: the CPU's host total minus the cgroup's user and system on it, at least 0. The host total is
 *     {@code user + nice + system + idle + iowait + irq + softirq + steal}: guest and guest_nice are left out because
 *     the kernel already counts them in user and nice. So each line adds up to the time the CPU existed, like the
 *     kernel's, and what the cgroup did not use is idle.</li>
 * <li>nice, iowait, irq, softirq, steal, guest, guest_nice: 0, as LXCFS prints them (the cgroup has no such
 *     numbers; the host's would be other tenants' time).</li>
 * </ul>
 * Without accounting ({@code times == null}) each shown CPU's line is the host's, renumbered.
 *
 * <p><b>The {@code cpu} line</b> is the sum of the shown {@code cpuN} lines, field by field. <b>Other lines</b>
 * ({@code intr}, {@code ctxt}, {@code btime}, {@code processes}, {@code procs_running}, {@code procs_blocked},
 * {@code softirq}, and any the kernel adds) are the host's, verbatim and in the host's order, after the CPU lines.
 *
 * <p><b>Monotonic between reads:</b> idle is the difference of two clocks read a moment apart (the host's ticks and
 * the cgroup's nanoseconds), so it can step back a tick, and rate tools ({@code top}, {@code mpstat}) would print a
 * negative. {@link #render(String, CpuSet, CpuTimes, Floor)} passes all ten fields of every line, the zeros too,
 * through a {@link Floor} keyed by the line as shown and the field, so nothing a reader sees goes down, even when
 * its cpuset changes. A floored number may run a tick or two ahead of the time it measures until it catches up.
 *
 * <p><b>Malformed host text</b> never throws: a field that is not a non-negative decimal that fits a long counts as
 * 0, missing fields as 0, a {@code cpuN} line whose N is not a number is left out, a CPU given twice keeps its first
 * line; sums saturate at {@link Long#MAX_VALUE}, so no number printed is negative or wrapped.
 *
 * <p>Where this differs from LXCFS 5.0.3 (renumbering, idle clamped at 0, v2's {@code cpu.stat}, monotonic fields)
 * and why: docs/lxcfs-differences.md.
 *
 * <p>Steps: {@link #parse} reads the host's text into {@link HostStat}, {@link #compute} gives a {@link Stat},
 * {@link #floor} keeps it monotonic, {@link #render(Stat)} prints it.
 */
public final class StatView {

    /** Nanoseconds of one USER_HZ tick; USER_HZ is 100 on every architecture (the kernel's /proc ABI). */
    static final long NANOS_PER_TICK = 10_000_000L;

    /** The fields of a cpu line, in the kernel's order. */
    static final List<String> FIELDS = List.of(
            "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice");
    static final int USER = 0;
    static final int NICE = 1;
    static final int SYSTEM = 2;
    static final int IDLE = 3;
    static final int IRQ = 5;
    static final int SOFTIRQ = 6;
    static final int STEAL = 7;
    /** The fields of a cpu line: a {@link Floor} has at most this many per line. */
    public static final int FIELD_COUNT = 10;

    /**
     * Keeps a counter from going down between reads: returns at least {@code candidate} and at least what it
     * returned before for the same line and field. {@code ConcurrentMonotonicCounters::advance} is one, with the
     * caller's cgroup as the row and {@code line * FIELD_COUNT + field} as the index.
     */
    @FunctionalInterface
    public interface Floor {
        /**
         * @param line      the line as shown: 0 for the {@code cpu} line, k for {@code cpu(k-1)}
         * @param field     the field, 0 ({@code user}) to {@link #FIELD_COUNT} - 1 ({@code guest_nice})
         * @param candidate the value computed now, &ge; 0
         */
        long advance(int line, int field, long candidate);
    }

    /** No memory between reads: every value as computed. */
    public static final Floor NO_FLOOR = (line, field, candidate) -> candidate;

    private StatView() {
    }

    /**
     * Renders /proc/stat for a cgroup, each read on its own (no floor between reads).
     *
     * @param hostStat the host's /proc/stat; malformed text never throws (see the class comment)
     * @param cpus     the host CPUs to show, shown in ascending order as cpu0, cpu1, ...; CPUs the host has no line
     *                 for are left out
     * @param times    the cgroup's CPU time, or null when its accounting is unavailable (the host's lines are shown)
     */
    public static String render(String hostStat, CpuSet cpus, CpuTimes times) {
        return render(hostStat, cpus, times, NO_FLOOR);
    }

    /**
     * Renders /proc/stat for a cgroup, its numbers kept monotonic between reads by {@code floor} (see the class
     * comment).
     */
    public static String render(String hostStat, CpuSet cpus, CpuTimes times, Floor floor) {
        Objects.requireNonNull(hostStat, "hostStat");
        Objects.requireNonNull(cpus, "cpus");
        Objects.requireNonNull(floor, "floor");
        return render(floor(compute(parse(hostStat), cpus, times), floor));
    }

    // ---------------------------------------------------------------- parse

    /**
     * The host's file: the ten fields of each {@code cpuN} line by host CPU number (ascending), the other lines
     * (without the aggregate {@code cpu} line and empty lines) verbatim, and how many lines had something we could
     * not read.
     */
    record HostStat(TreeMap<Integer, long[]> cpus, List<String> otherLines, int malformedLines) {
    }

    static HostStat parse(String text) {
        TreeMap<Integer, long[]> cpus = new TreeMap<>();
        List<String> other = new ArrayList<>();
        int malformed = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            int nameEnd = tokenEnd(line, 0);
            if (!line.startsWith("cpu")) {
                other.add(line);
                continue;
            }
            if (nameEnd == 3) continue; // the host's aggregate: we compute our own
            int cpu = cpuNumber(line, nameEnd);
            if (cpu < 0 || cpus.containsKey(cpu)) {
                malformed++;
                continue;
            }
            long[] fields = new long[FIELD_COUNT];
            if (!parseFields(line, nameEnd, fields)) malformed++;
            cpus.put(cpu, fields);
        }
        return new HostStat(cpus, other, malformed);
    }

    /** The N of "cpuN" in line[0, end), or -1 if it is not a number below {@link CpuSet#MAX_CPUS}. */
    private static int cpuNumber(String line, int end) {
        if (end - 3 > 5) return -1;
        int cpu = 0;
        for (int i = 3; i < end; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') return -1;
            cpu = cpu * 10 + (c - '0');
        }
        return cpu < CpuSet.MAX_CPUS ? cpu : -1;
    }

    /**
     * Reads up to ten fields after position {@code from} into {@code fields} (missing or unreadable ones stay 0).
     * False if any was unreadable, missing, or there were more than ten.
     */
    private static boolean parseFields(String line, int from, long[] fields) {
        boolean ok = true;
        int count = 0;
        int i = skipBlanks(line, from);
        while (i < line.length()) {
            int end = tokenEnd(line, i);
            if (count < FIELD_COUNT) {
                long value = decimal(line, i, end);
                if (value < 0) ok = false;
                else fields[count] = value;
            }
            count++;
            i = skipBlanks(line, end);
        }
        return ok && count == FIELD_COUNT;
    }

    /** The value of line[from, end) if it is decimal digits that fit a long, else -1. */
    static long decimal(String line, int from, int end) {
        if (from >= end || end - from > 19) return -1;
        long value = 0;
        for (int i = from; i < end; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') return -1;
            int digit = c - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) return -1;
            value = value * 10 + digit;
        }
        return value;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static int skipBlanks(String line, int i) {
        while (i < line.length() && isBlank(line.charAt(i))) i++;
        return i;
    }

    private static int tokenEnd(String line, int i) {
        while (i < line.length() && !isBlank(line.charAt(i))) i++;
        return i;
    }

    // ---------------------------------------------------------------- compute

    /** What is shown: the {@code cpu} line's fields, each shown CPU's ten fields (cpu0 first), the other lines. */
    record Stat(long[] total, List<long[]> cpus, List<String> otherLines) {
    }

    static Stat compute(HostStat host, CpuSet cpuset, CpuTimes times) {
        List<Integer> shown = new ArrayList<>();
        for (int cpu : cpuset.toArray()) {
            if (host.cpus().containsKey(cpu)) shown.add(cpu);
        }
        List<long[]> lines = new ArrayList<>(shown.size());
        if (times == null) {
            for (int cpu : shown) lines.add(host.cpus().get(cpu).clone());
        } else {
            long[] user = new long[shown.size()];
            long[] system = new long[shown.size()];
            if (times.hasPerCpu()) {
                for (int i = 0; i < shown.size(); i++) {
                    user[i] = times.perCpuUserNanos(shown.get(i)) / NANOS_PER_TICK;
                    system[i] = times.perCpuSystemNanos(shown.get(i)) / NANOS_PER_TICK;
                }
            } else {
                long[] weights = new long[shown.size()];
                for (int i = 0; i < shown.size(); i++) weights[i] = busy(host.cpus().get(shown.get(i)));
                user = spread(times.userNanos() / NANOS_PER_TICK, weights);
                system = spread(times.systemNanos() / NANOS_PER_TICK, weights);
            }
            for (int i = 0; i < shown.size(); i++) {
                long[] line = new long[FIELD_COUNT];
                line[USER] = user[i];
                line[SYSTEM] = system[i];
                line[IDLE] = clampedSub(clampedSub(hostTotal(host.cpus().get(shown.get(i))), user[i]), system[i]);
                lines.add(line);
            }
        }
        return new Stat(sum(lines), lines, host.otherLines());
    }

    /** The time a host CPU line accounts for, guest and guest_nice excluded (they are part of user and nice). */
    static long hostTotal(long[] f) {
        long total = 0;
        for (int i = USER; i <= STEAL; i++) total = saturatedAdd(total, f[i]);
        return total;
    }

    /** A host CPU's busy time, the weight of its share of a cgroup's v2 totals. */
    static long busy(long[] f) {
        return saturatedAdd(saturatedAdd(saturatedAdd(f[USER], f[NICE]), saturatedAdd(f[SYSTEM], f[IRQ])), f[SOFTIRQ]);
    }

    /**
     * {@code amount} split in proportion to {@code weights} (evenly if they are all 0), rounded down, then the few
     * units left one each to the largest remainders (the lower index first on a tie): the shares add up to
     * {@code amount}.
     */
    static long[] spread(long amount, long[] weights) {
        int n = weights.length;
        long[] shares = new long[n];
        if (n == 0 || amount == 0) return shares;
        BigInteger totalWeight = BigInteger.ZERO;
        for (long w : weights) totalWeight = totalWeight.add(BigInteger.valueOf(w));
        boolean even = totalWeight.signum() == 0;
        if (even) totalWeight = BigInteger.valueOf(n);
        BigInteger big = BigInteger.valueOf(amount);
        BigInteger[] exactRemainders = new BigInteger[n];
        long given = 0;
        for (int i = 0; i < n; i++) {
            BigInteger[] qr = big.multiply(BigInteger.valueOf(even ? 1 : weights[i])).divideAndRemainder(totalWeight);
            shares[i] = qr[0].longValueExact(); // <= amount
            exactRemainders[i] = qr[1];
            given += shares[i];
        }
        long left = amount - given; // < n
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int byRemainder = exactRemainders[b].compareTo(exactRemainders[a]);
            return byRemainder != 0 ? byRemainder : Integer.compare(a, b);
        });
        for (int k = 0; k < left; k++) shares[order[k]]++;
        return shares;
    }

    /** Field-by-field sums of the lines, saturating. */
    static long[] sum(List<long[]> lines) {
        long[] total = new long[FIELD_COUNT];
        for (long[] line : lines) {
            for (int f = 0; f < FIELD_COUNT; f++) total[f] = saturatedAdd(total[f], line[f]);
        }
        return total;
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r; // both operands are >= 0
    }

    static long clampedSub(long a, long b) {
        return a > b ? a - b : 0;
    }

    // ---------------------------------------------------------------- floor

    /**
     * The stat with every number passed through {@code floor}: each {@code cpuN} line's, then the {@code cpu} line as
     * the sum of the floored {@code cpuN} lines, itself floored. All ten fields, also those that are LXCFS's constant
     * 0 with accounting: a read that shows the host's lines (accounting failed) and a later one with accounting must
     * not step from the host's nice or iowait back to 0.
     */
    static Stat floor(Stat stat, Floor floor) {
        if (floor == NO_FLOOR) return stat;
        List<long[]> lines = new ArrayList<>(stat.cpus().size());
        for (int i = 0; i < stat.cpus().size(); i++) {
            lines.add(floorLine(i + 1, stat.cpus().get(i), floor));
        }
        long[] total = floorLine(0, sum(lines), floor);
        return new Stat(total, lines, stat.otherLines());
    }

    /** Line {@code shown} (0 the cpu line, k cpu(k-1)) through the floor. */
    private static long[] floorLine(int shown, long[] line, Floor floor) {
        long[] out = new long[FIELD_COUNT];
        for (int f = 0; f < FIELD_COUNT; f++) {
            out[f] = Math.max(line[f], floor.advance(shown, f, line[f]));
        }
        return out;
    }

    // ---------------------------------------------------------------- render

    static String render(Stat stat) {
        StringBuilder out = new StringBuilder(64 * (stat.cpus().size() + 1) + 64 * stat.otherLines().size());
        appendLine(out.append("cpu "), stat.total());
        for (int i = 0; i < stat.cpus().size(); i++) appendLine(out.append("cpu").append(i), stat.cpus().get(i));
        for (String line : stat.otherLines()) out.append(line).append('\n');
        return out.toString();
    }

    private static void appendLine(StringBuilder out, long[] fields) {
        for (long value : fields) out.append(' ').append(value);
        out.append('\n');
    }
}
