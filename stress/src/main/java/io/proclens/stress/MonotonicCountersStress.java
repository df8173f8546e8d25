package io.proclens.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.proclens.cache.ConcurrentMonotonicCounters;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * {@link ConcurrentMonotonicCounters}, as two loop threads rendering /proc/stat for the same cgroup use it at once:
 * one row per cgroup, one element per field. One nested test per property. -1 is
 * {@link ConcurrentMonotonicCounters#ABSENT}. A new row for a low index has 16 elements; capacities count elements.
 */
public final class MonotonicCountersStress {
    private MonotonicCountersStress() {
    }

    @JCStressTest
    @Description("Two first advances of a new row (both insert a row): the larger candidate wins, neither is lost.")
    @Outcome(id = "5, 7, 7", expect = ACCEPTABLE, desc = "5 first, then 7 raised it")
    @Outcome(id = "7, 7, 7", expect = ACCEPTABLE, desc = "7 first; the advance of 5 returned the larger 7")
    @Outcome(expect = FORBIDDEN, desc = "lost update: one insert replaced the other's row, or a return below its candidate")
    @State
    public static class NewKeyNoLostUpdate {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1024);

        @Actor
        public void advance5(JJJ_Result r) {
            r.r1 = counters.advance("#1", 13, 5);
        }

        @Actor
        public void advance7(JJJ_Result r) {
            r.r2 = counters.advance("#1", 13, 7);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = counters.getAcquire("#1", 13);
        }
    }

    @JCStressTest
    @Description("Two advances of an existing element (both CAS it): the larger candidate wins, neither is lost.")
    @Outcome(id = "5, 7, 7", expect = ACCEPTABLE, desc = "5 first, then 7 raised it")
    @Outcome(id = "7, 7, 7", expect = ACCEPTABLE, desc = "7 first; the advance of 5 returned the larger 7")
    @Outcome(expect = FORBIDDEN, desc = "lost update: 5 stored over 7, or a return below its candidate")
    @State
    public static class ExistingKeyNoLostUpdate {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1024);

        {
            counters.advance("#1", 13, 3);
        }

        @Actor
        public void advance5(JJJ_Result r) {
            r.r1 = counters.advance("#1", 13, 5);
        }

        @Actor
        public void advance7(JJJ_Result r) {
            r.r2 = counters.advance("#1", 13, 7);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = counters.getAcquire("#1", 13);
        }
    }

    @JCStressTest
    @Description("A reader's two reads of an element being raised 5 then 7 never go down.")
    @Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "both reads before the first advance")
    @Outcome(id = "-1, 5", expect = ACCEPTABLE, desc = "the first advance between the reads")
    @Outcome(id = "-1, 7", expect = ACCEPTABLE, desc = "both advances between the reads")
    @Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "both reads between the advances")
    @Outcome(id = "5, 7", expect = ACCEPTABLE, desc = "the second advance between the reads")
    @Outcome(id = "7, 7", expect = ACCEPTABLE, desc = "both reads after the advances")
    @Outcome(expect = FORBIDDEN, desc = "a read went back to an older value or to absent: the counter stepped back")
    @State
    public static class ReadsNeverGoBack {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1024);

        @Actor
        public void writer() {
            counters.advance("#1", 13, 5);
            counters.advance("#1", 13, 7);
        }

        @Actor
        public void reader(JJ_Result r) {
            r.r1 = counters.getAcquire("#1", 13);
            r.r2 = counters.getAcquire("#1", 13);
        }
    }

    @JCStressTest
    @Description("An advance racing the eviction of its own row (room for one row of 16, another row inserted) "
            + "returns its candidate, and afterwards the row holds that value or is gone; never the old value, never "
            + "the evictor's dead marker; and one row is left (the evicting thread checks again when done, so a row "
            + "re-inserted while it ran is evicted then).")
    @Outcome(id = "12, -1, 1", expect = ACCEPTABLE,
            desc = "'a' (older call) evicted after its advance, or its dead row re-inserted and then evicted; 'b' kept")
    @Outcome(id = "12, 12, -1", expect = ACCEPTABLE, desc = "'b' evicted: the advance of 'a' was the more recent call")
    @Outcome(expect = FORBIDDEN, desc = "an advance applied to an evicted row and lost, the stale 10 kept, the dead "
            + "marker seen, or both rows left above the capacity")
    @State
    public static class AdvanceRacingEviction {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(24);

        {
            counters.advance("a", 0, 10);
        }

        @Actor
        public void advanceA(JJJ_Result r) {
            r.r1 = counters.advance("a", 0, 12);
        }

        @Actor
        public void insertB() {
            counters.advance("b", 0, 1);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r2 = counters.getAcquire("a", 0);
            r.r3 = counters.getAcquire("b", 0);
        }
    }

    @JCStressTest
    @Description("An advance racing a forget of its row (the cgroup was removed) returns its candidate, and "
            + "afterwards the row holds that candidate or is gone; never the old value, never the dead marker; a "
            + "row not named stays.")
    @Outcome(id = "12, -1, 1", expect = ACCEPTABLE, desc = "the forget came after the advance, or took its dead row")
    @Outcome(id = "12, 12, 1", expect = ACCEPTABLE, desc = "the advance came after the forget and started 'a' afresh")
    @Outcome(expect = FORBIDDEN, desc = "the stale 10 kept, an advance lost into a dead row, the dead marker seen, or 'b' forgotten")
    @State
    public static class AdvanceRacingForget {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1024);

        {
            counters.advance("a", 0, 10);
            counters.advance("b", 0, 1);
        }

        @Actor
        public void advanceA(JJJ_Result r) {
            r.r1 = counters.advance("a", 0, 12);
        }

        @Actor
        public void forgetA() {
            counters.forget("a"::equals);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r2 = counters.getAcquire("a", 0);
            r.r3 = counters.getAcquire("b", 0);
        }
    }

    @JCStressTest
    @Description("An advance of element 0 racing the growth of its row (another advance of index 40, past the 16 "
            + "elements): whichever comes first, the grown row holds both; the advance of 0 is neither copied "
            + "too early nor lost in the old row.")
    @Outcome(id = "12, 12, 1", expect = ACCEPTABLE, desc = "both kept in the grown row")
    @Outcome(expect = FORBIDDEN, desc = "the advance of 0 lost (the grown row has the stale 10, or 0 when it was "
            + "started afresh), the growth lost, or the dead marker seen")
    @State
    public static class AdvanceRacingGrowth {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1024);

        {
            counters.advance("a", 0, 10);
        }

        @Actor
        public void advance0(JJJ_Result r) {
            r.r1 = counters.advance("a", 0, 12);
        }

        @Actor
        public void grow() {
            counters.advance("a", 40, 1);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r2 = counters.getAcquire("a", 0);
            r.r3 = counters.getAcquire("a", 40);
        }
    }

    @JCStressTest
    @Description("A reader's two reads of element 0 while its row grows: the value it holds, never absent (the old "
            + "row's dead marker sends the reader to the grown row) and never the dead marker.")
    @Outcome(id = "10, 10", expect = ACCEPTABLE, desc = "read from the old row or the grown one")
    @Outcome(expect = FORBIDDEN, desc = "a read of absent or of the dead marker during the growth")
    @State
    public static class ReadsAcrossGrowth {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1024);

        {
            counters.advance("a", 0, 10);
        }

        @Actor
        public void grow() {
            counters.advance("a", 40, 1);
        }

        @Actor
        public void reader(JJ_Result r) {
            r.r1 = counters.getAcquire("a", 0);
            r.r2 = counters.getAcquire("a", 0);
        }
    }
}
