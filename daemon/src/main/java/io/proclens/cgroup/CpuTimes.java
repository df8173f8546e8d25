package io.proclens.cgroup;

import java.util.Arrays;

/**
 * CPU time used by a cgroup and its descendants, split into user and system, in nanoseconds; read by
 * {@link CpuAccounting}.
 *
 * <p>The per-CPU arrays are indexed by the host's CPU number (index 3 is the host's cpu3, whatever the cgroup's
 * cpuset); a CPU past the end of an array used nothing. They are both {@code null} when the kernel gives no per-CPU
 * split (cgroup v2). Immutable: the arrays are copied in and the accessors return copies; {@link #perCpuUserNanos(int)}
 * and {@link #perCpuSystemNanos(int)} read one CPU without copying.
 *
 * @param userNanos          user time of all CPUs, &ge; 0
 * @param systemNanos        system time of all CPUs, &ge; 0
 * @param perCpuUserNanos    user time per host CPU, each &ge; 0, or null
 * @param perCpuSystemNanos  system time per host CPU, each &ge; 0, or null; the same length as perCpuUserNanos
 */
public record CpuTimes(long userNanos, long systemNanos, long[] perCpuUserNanos, long[] perCpuSystemNanos) {

    public CpuTimes {
        if (userNanos < 0 || systemNanos < 0) {
            throw new IllegalArgumentException("negative CPU time: user " + userNanos + ", system " + systemNanos);
        }
        if ((perCpuUserNanos == null) != (perCpuSystemNanos == null)) {
            throw new IllegalArgumentException("per-CPU user and system must both be given or both be null");
        }
        if (perCpuUserNanos != null) {
            if (perCpuUserNanos.length != perCpuSystemNanos.length) {
                throw new IllegalArgumentException("per-CPU user and system have different lengths: "
                        + perCpuUserNanos.length + " and " + perCpuSystemNanos.length);
            }
            perCpuUserNanos = perCpuUserNanos.clone();
            perCpuSystemNanos = perCpuSystemNanos.clone();
            for (int cpu = 0; cpu < perCpuUserNanos.length; cpu++) {
                if (perCpuUserNanos[cpu] < 0 || perCpuSystemNanos[cpu] < 0) {
                    throw new IllegalArgumentException("negative CPU time on cpu" + cpu);
                }
            }
        }
    }

    /** Totals only, no per-CPU split (cgroup v2). */
    public static CpuTimes ofTotals(long userNanos, long systemNanos) {
        return new CpuTimes(userNanos, systemNanos, null, null);
    }

    /**
     * Per-CPU times; the totals are their sums.
     *
     * @throws IllegalArgumentException if a sum does not fit a long, or as the constructor
     */
    public static CpuTimes ofPerCpu(long[] perCpuUserNanos, long[] perCpuSystemNanos) {
        return new CpuTimes(sum(perCpuUserNanos), sum(perCpuSystemNanos), perCpuUserNanos, perCpuSystemNanos);
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            try {
                total = Math.addExact(total, v);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("CPU time total overflows a long");
            }
        }
        return total;
    }

    /** Whether the kernel gave a per-CPU split. */
    public boolean hasPerCpu() {
        return perCpuUserNanos != null;
    }

    /** A copy of the per-CPU user times, or null. */
    @Override
    public long[] perCpuUserNanos() {
        return perCpuUserNanos == null ? null : perCpuUserNanos.clone();
    }

    /** A copy of the per-CPU system times, or null. */
    @Override
    public long[] perCpuSystemNanos() {
        return perCpuSystemNanos == null ? null : perCpuSystemNanos.clone();
    }

    /**
     * User time on host CPU {@code cpu}; 0 past the end of the array.
     *
     * @throws IllegalStateException if there are no per-CPU times
     */
    public long perCpuUserNanos(int cpu) {
        return at(perCpuUserNanos, cpu);
    }

    /**
     * System time on host CPU {@code cpu}; 0 past the end of the array.
     *
     * @throws IllegalStateException if there are no per-CPU times
     */
    public long perCpuSystemNanos(int cpu) {
        return at(perCpuSystemNanos, cpu);
    }

    private static long at(long[] values, int cpu) {
        if (values == null) throw new IllegalStateException("no per-CPU times");
        return cpu >= 0 && cpu < values.length ? values[cpu] : 0;
    }

    /** Equal when all numbers are equal, the arrays compared by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof CpuTimes other && userNanos == other.userNanos && systemNanos == other.systemNanos
                && Arrays.equals(perCpuUserNanos, other.perCpuUserNanos)
                && Arrays.equals(perCpuSystemNanos, other.perCpuSystemNanos);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(userNanos) + Long.hashCode(systemNanos))
                + 17 * Arrays.hashCode(perCpuUserNanos) + Arrays.hashCode(perCpuSystemNanos);
    }

    @Override
    public String toString() {
        return "CpuTimes[user=" + userNanos + ", system=" + systemNanos
                + (perCpuUserNanos == null ? ", no per-CPU split]"
                : ", perCpuUser=" + Arrays.toString(perCpuUserNanos)
                + ", perCpuSystem=" + Arrays.toString(perCpuSystemNanos) + "]");
    }
}
