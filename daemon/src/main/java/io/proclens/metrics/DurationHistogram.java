package io.proclens.metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations in nanoseconds counted into fixed buckets, exposed in seconds. {@link #record} takes no lock and
 * allocates nothing (a {@link LongAdder} per bucket and one for the sum; a thread that collides with another gets a
 * cell of its own, once).
 *
 * <p>What a {@link #snapshot} concurrent with records promises:
 * <ul>
 * <li>no record is lost: once every {@code record} has returned, the count is the number of records and the sum
 *     their total;</li>
 * <li>within one snapshot the cumulative buckets never decrease with the bound, and the last one (+Inf) equals the
 *     count, always: the count is not kept apart, it is the sum of the buckets read;</li>
 * <li>between two snapshots no bucket, count or sum goes down;</li>
 * <li>but the sum is read apart from the buckets: a record under way may be in one and not yet in the other, so
 *     the sum is not promised to belong to exactly the counted records.</li>
 * </ul>
 */
public final class DurationHistogram {
    private final long[] upperBoundsNanos;
    /** One per bound, then one for the durations above the last (+Inf); not cumulative. */
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    /** @param upperBoundsNanos the buckets' inclusive upper bounds, ascending, positive; +Inf is added */
    public DurationHistogram(long... upperBoundsNanos) {
        if (upperBoundsNanos.length == 0) throw new IllegalArgumentException("a histogram needs at least one bound");
        for (int i = 0; i < upperBoundsNanos.length; i++) {
            if (upperBoundsNanos[i] <= 0 || i > 0 && upperBoundsNanos[i] <= upperBoundsNanos[i - 1]) {
                throw new IllegalArgumentException("bounds must be positive and ascending: "
                        + Arrays.toString(upperBoundsNanos));
            }
        }
        this.upperBoundsNanos = upperBoundsNanos.clone();
        this.buckets = new LongAdder[upperBoundsNanos.length + 1];
        for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
    }

    /** Counts one duration; a negative one (a clock that stepped back) counts as 0. */
    public void record(long nanos) {
        long duration = Math.max(nanos, 0);
        int bucket = 0;
        // A linear scan: most requests end in the first few buckets.
        while (bucket < upperBoundsNanos.length && duration > upperBoundsNanos[bucket]) bucket++;
        buckets[bucket].increment();
        sumNanos.add(duration);
    }

    /** How many durations were recorded (as far as a concurrent snapshot sees them). */
    public long count() {
        long count = 0;
        for (LongAdder bucket : buckets) count += bucket.sum();
        return count;
    }

    public long[] upperBoundsNanos() {
        return upperBoundsNanos.clone();
    }

    /** The buckets as Prometheus shows them: cumulative, the last (+Inf) equal to the count. */
    public Snapshot snapshot() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(upperBoundsNanos.clone(), cumulative, sumNanos.sum());
    }

    /**
     * @param cumulativeCounts one per bound, then +Inf's: how many durations were at most each bound
     */
    public record Snapshot(long[] upperBoundsNanos, long[] cumulativeCounts, long sumNanos) {
        public long count() {
            return cumulativeCounts[cumulativeCounts.length - 1];
        }
    }
}
