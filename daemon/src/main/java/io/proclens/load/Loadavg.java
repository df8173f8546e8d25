package io.proclens.load;

import io.proclens.cgroup.TaskCounts;
import java.util.Objects;

/**
 * One cgroup's load averages after a number of samples, in the kernel's fixed point ({@value #FSHIFT} fraction
 * bits, {@link #FIXED_1} is 1.0), with the task counts of the sample they were computed from. Immutable: a sampler
 * makes the next one with {@link #next}, so the three averages and the counts a reader gets always come from the
 * same sample.
 *
 * <p>The arithmetic is the kernel's ({@code include/linux/sched/loadavg.h}), which LXCFS copies as well: every 5
 * seconds {@code load = calc_load(load, EXP_n, active * FIXED_1)} with active the runnable plus uninterruptible
 * tasks, where {@link #calcLoad} rounds up while the load rises (so it reaches a steady count exactly) and down
 * while it falls (so it reaches 0).
 *
 * @param load1   1-minute average, fixed point
 * @param load5   5-minute average, fixed point
 * @param load15  15-minute average, fixed point
 * @param counts  the tasks of the last sample; {@link TaskCounts#NONE} before the first
 * @param samples how many samples went into the averages; 0 for a cgroup registered and not sampled yet
 */
public record Loadavg(long load1, long load5, long load15, TaskCounts counts, long samples) {
    /** Bits of fraction (kernel FSHIFT). */
    public static final int FSHIFT = 11;
    /** 1.0 in fixed point (kernel FIXED_1). */
    public static final long FIXED_1 = 1L << FSHIFT;
    /** 1/exp(5s/1min) in fixed point (kernel EXP_1). */
    public static final long EXP_1 = 1884;
    /** 1/exp(5s/5min) in fixed point (kernel EXP_5). */
    public static final long EXP_5 = 2014;
    /** 1/exp(5s/15min) in fixed point (kernel EXP_15). */
    public static final long EXP_15 = 2037;

    /** A cgroup just registered: 0.00 everywhere, as the kernel's averages at boot and LXCFS's at first read. */
    public static final Loadavg INITIAL = new Loadavg(0, 0, 0, TaskCounts.NONE, 0);

    /**
     * The largest average that can arise: a load never exceeds the largest active count it was fed
     * (2^31 - 1 tasks) in fixed point, so the products in {@link #calcLoad} stay far below 2^63.
     */
    static final long MAX_LOAD = (long) Integer.MAX_VALUE * FIXED_1;

    /** @throws IllegalArgumentException if a number is negative or above what the arithmetic can produce */
    public Loadavg {
        Objects.requireNonNull(counts, "counts");
        if (load1 < 0 || load5 < 0 || load15 < 0 || samples < 0
                || load1 > MAX_LOAD || load5 > MAX_LOAD || load15 > MAX_LOAD) {
            throw new IllegalArgumentException("load averages out of range: " + load1 + " " + load5 + " " + load15
                    + " after " + samples + " samples");
        }
    }

    /** The averages after one more 5-second sample whose tasks were {@code counts}. */
    public Loadavg next(TaskCounts counts) {
        long active = counts.active() * FIXED_1;
        return new Loadavg(calcLoad(load1, EXP_1, active), calcLoad(load5, EXP_5, active),
                calcLoad(load15, EXP_15, active), counts, samples + 1);
    }

    /**
     * The kernel's {@code calc_load}: {@code load * exp + active * (FIXED_1 - exp)}, plus {@code FIXED_1 - 1} when
     * {@code active >= load}, divided by {@code FIXED_1}.
     *
     * @param load   the previous average, fixed point, 0 to {@link #MAX_LOAD}
     * @param exp    {@link #EXP_1}, {@link #EXP_5} or {@link #EXP_15} (any value 0 to FIXED_1)
     * @param active the active tasks now, fixed point (count * FIXED_1), 0 to {@link #MAX_LOAD}
     */
    public static long calcLoad(long load, long exp, long active) {
        long newload = load * exp + active * (FIXED_1 - exp);
        if (active >= load) newload += FIXED_1 - 1;
        return newload / FIXED_1;
    }
}
