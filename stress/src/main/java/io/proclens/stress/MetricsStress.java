package io.proclens.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.proclens.metrics.Counter;
import io.proclens.metrics.DurationHistogram;
import io.proclens.metrics.Labels;
import io.proclens.metrics.MetricsRegistry;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * {@link Counter} and {@link DurationHistogram} as loop threads record into them while the metrics thread scrapes.
 * What is promised (see DurationHistogram): no record lost; in one scrape the cumulative buckets never decrease and
 * +Inf equals _count; successive scrapes never go down. What is not: that _sum belongs to exactly the counted
 * records, or that a scrape is one moment's state (it reads the buckets one after the other).
 */
public final class MetricsStress {
    private MetricsStress() {
    }

    /** Bounds of 10 ns: a record of 5 lands in the first bucket, one of 50 in +Inf. */
    private static DurationHistogram histogram() {
        return new DurationHistogram(10);
    }

    @JCStressTest
    @Description("Two threads increment one counter: both increments are kept.")
    @Outcome(id = "2", expect = ACCEPTABLE, desc = "both counted")
    @Outcome(expect = FORBIDDEN, desc = "a lost increment")
    @State
    public static class CounterLosesNoIncrement {
        private final Counter counter = new Counter();

        @Actor
        public void first() {
            counter.increment();
        }

        @Actor
        public void second() {
            counter.increment();
        }

        @Arbiter
        public void after(J_Result r) {
            r.r1 = counter.value();
        }
    }

    @JCStressTest
    @Description("Two threads record into the same bucket: count, bucket and sum keep both.")
    @Outcome(id = "2, 2, 10", expect = ACCEPTABLE, desc = "both counted, in the first bucket, summed")
    @Outcome(expect = FORBIDDEN, desc = "a lost record")
    @State
    public static class SameBucketLosesNoRecord {
        private final DurationHistogram histogram = histogram();

        @Actor
        public void first() {
            histogram.record(5);
        }

        @Actor
        public void second() {
            histogram.record(5);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            DurationHistogram.Snapshot snapshot = histogram.snapshot();
            r.r1 = snapshot.count();
            r.r2 = snapshot.cumulativeCounts()[0];
            r.r3 = snapshot.sumNanos();
        }
    }

    @JCStressTest
    @Description("Two threads record into different buckets: count, buckets and sum keep both.")
    @Outcome(id = "2, 1, 55", expect = ACCEPTABLE, desc = "both counted, one at most 10, summed")
    @Outcome(expect = FORBIDDEN, desc = "a lost record")
    @State
    public static class DifferentBucketsLoseNoRecord {
        private final DurationHistogram histogram = histogram();

        @Actor
        public void first() {
            histogram.record(5);
        }

        @Actor
        public void second() {
            histogram.record(50);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            DurationHistogram.Snapshot snapshot = histogram.snapshot();
            r.r1 = snapshot.count();
            r.r2 = snapshot.cumulativeCounts()[0];
            r.r3 = snapshot.sumNanos();
        }
    }

    @JCStressTest
    @Description("A scrape, as text, while a thread records 5 then 50: the le=\"0.00000001\" bucket, the +Inf bucket "
            + "and _count. Buckets never decrease with le, and +Inf always equals _count.")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "scraped before both records")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "between the records")
    @Outcome(id = "1, 2, 2", expect = ACCEPTABLE, desc = "after both")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE_INTERESTING, desc = "the first bucket read before the first record, "
            + "+Inf after the second: not one moment's state, and still consistent in itself")
    @Outcome(expect = FORBIDDEN, desc = "a bucket above a later one, or +Inf other than _count")
    @State
    public static class ScrapeIsConsistentInItself {
        private final MetricsRegistry registry = new MetricsRegistry();
        private final DurationHistogram histogram = registry.histogram("demo_seconds", "h", Labels.NONE, 10);

        @Actor
        public void record() {
            histogram.record(5);
            histogram.record(50);
        }

        @Actor
        public void scrape(III_Result r) {
            String text = registry.scrape();
            r.r1 = sample(text, "demo_seconds_bucket{le=\"0.00000001\"} ");
            r.r2 = sample(text, "demo_seconds_bucket{le=\"+Inf\"} ");
            r.r3 = sample(text, "demo_seconds_count ");
        }

        private static int sample(String text, String prefix) {
            int at = text.indexOf(prefix);
            if (at < 0) return -1;
            int end = text.indexOf('\n', at);
            return Integer.parseInt(text.substring(at + prefix.length(), end));
        }
    }

    @JCStressTest
    @Description("A scrape while a thread records 7: _count and _sum are read apart, so a record under way may be "
            + "in one and not the other (documented, not promised).")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "before the record")
    @Outcome(id = "1, 7", expect = ACCEPTABLE, desc = "after the record")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "counted, not yet summed")
    @Outcome(id = "0, 7", expect = ACCEPTABLE_INTERESTING, desc = "buckets read before, the sum after the record")
    @Outcome(expect = FORBIDDEN, desc = "a value no record made")
    @State
    public static class SumIsReadApartFromTheCount {
        private final DurationHistogram histogram = histogram();

        @Actor
        public void record() {
            histogram.record(7);
        }

        @Actor
        public void scrape(JJ_Result r) {
            DurationHistogram.Snapshot snapshot = histogram.snapshot();
            r.r1 = snapshot.count();
            r.r2 = snapshot.sumNanos();
        }
    }

    @JCStressTest
    @Description("Two scrapes while a thread records twice: the second never shows fewer than the first.")
    @Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 1", "1, 2", "2, 2"}, expect = ACCEPTABLE, desc = "never down")
    @Outcome(expect = FORBIDDEN, desc = "a later scrape counted less")
    @State
    public static class ScrapesNeverGoDown {
        private final DurationHistogram histogram = histogram();

        @Actor
        public void record() {
            histogram.record(5);
            histogram.record(50);
        }

        @Actor
        public void scrapeTwice(JJ_Result r) {
            r.r1 = histogram.snapshot().count();
            r.r2 = histogram.snapshot().count();
        }
    }
}
