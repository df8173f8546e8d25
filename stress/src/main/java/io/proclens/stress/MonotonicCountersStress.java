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
 * {@link ConcurrentMonotonicCounters}, as two loop threads rendering /proc/stat for the same cgroup use it at once.
 * One nested test per property. -1 is {@link ConcurrentMonotonicCounters#ABSENT}.
 */
public final class MonotonicCountersStress {
    private MonotonicCountersStress() {
    }

    @JCStressTest
    @Description("Two first advances of a new key (both insert a cell): the larger candidate wins, neither is lost.")
    @Outcome(id = "5, 7, 7", expect = ACCEPTABLE, desc = "5 first, then 7 raised it")
    @Outcome(id = "7, 7, 7", expect = ACCEPTABLE, desc = "7 first; the advance of 5 returned the larger 7")
    @Outcome(expect = FORBIDDEN, desc = "lost update: one insert replaced the other's cell, or a return below its candidate")
    @State
    public static class NewKeyNoLostUpdate {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(16);

        @Actor
        public void advance5(JJJ_Result r) {
            r.r1 = counters.advance("cpu0 idle", 5);
        }

        @Actor
        public void advance7(JJJ_Result r) {
            r.r2 = counters.advance("cpu0 idle", 7);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = counters.getAcquire("cpu0 idle");
        }
    }

    @JCStressTest
    @Description("Two advances of an existing key (both CAS one cell): the larger candidate wins, neither is lost.")
    @Outcome(id = "5, 7, 7", expect = ACCEPTABLE, desc = "5 first, then 7 raised it")
    @Outcome(id = "7, 7, 7", expect = ACCEPTABLE, desc = "7 first; the advance of 5 returned the larger 7")
    @Outcome(expect = FORBIDDEN, desc = "lost update: 5 stored over 7, or a return below its candidate")
    @State
    public static class ExistingKeyNoLostUpdate {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(16);

        {
            counters.advance("cpu0 idle", 3);
        }

        @Actor
        public void advance5(JJJ_Result r) {
            r.r1 = counters.advance("cpu0 idle", 5);
        }

        @Actor
        public void advance7(JJJ_Result r) {
            r.r2 = counters.advance("cpu0 idle", 7);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = counters.getAcquire("cpu0 idle");
        }
    }

    @JCStressTest
    @Description("A reader's two reads of a key being raised 5 then 7 never go down.")
    @Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "both reads before the first advance")
    @Outcome(id = "-1, 5", expect = ACCEPTABLE, desc = "the first advance between the reads")
    @Outcome(id = "-1, 7", expect = ACCEPTABLE, desc = "both advances between the reads")
    @Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "both reads between the advances")
    @Outcome(id = "5, 7", expect = ACCEPTABLE, desc = "the second advance between the reads")
    @Outcome(id = "7, 7", expect = ACCEPTABLE, desc = "both reads after the advances")
    @Outcome(expect = FORBIDDEN, desc = "a read went back to an older value or to absent: the counter stepped back")
    @State
    public static class ReadsNeverGoBack {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(16);

        @Actor
        public void writer() {
            counters.advance("cpu0 idle", 5);
            counters.advance("cpu0 idle", 7);
        }

        @Actor
        public void reader(JJ_Result r) {
            r.r1 = counters.getAcquire("cpu0 idle");
            r.r2 = counters.getAcquire("cpu0 idle");
        }
    }

    @JCStressTest
    @Description("An advance racing the eviction of its own key (capacity 1, another key inserted) returns its "
            + "candidate, and afterwards the key holds that value or is gone; never the old value, never the "
            + "evictor's dead marker.")
    @Outcome(id = "12, -1, 1", expect = ACCEPTABLE,
            desc = "'a' (older call) evicted after its advance, or its dead cell re-inserted and then evicted; 'b' kept")
    @Outcome(id = "12, 12, -1", expect = ACCEPTABLE, desc = "'b' evicted: the advance of 'a' was the more recent call")
    @Outcome(id = "12, 12, 1", expect = ACCEPTABLE,
            desc = "'a' re-inserted after its eviction while the evictor still ran: both kept, one above capacity")
    @Outcome(expect = FORBIDDEN, desc = "an advance applied to an evicted cell and lost, the stale 10 kept, or the dead marker seen")
    @State
    public static class AdvanceRacingEviction {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1);

        {
            counters.advance("a", 10);
        }

        @Actor
        public void advanceA(JJJ_Result r) {
            r.r1 = counters.advance("a", 12);
        }

        @Actor
        public void insertB() {
            counters.advance("b", 1);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r2 = counters.getAcquire("a");
            r.r3 = counters.getAcquire("b");
        }
    }

    @JCStressTest
    @Description("An advance racing a forget of its key (the cgroup was removed) returns its candidate, and "
            + "afterwards the key holds that candidate or is gone; never the old value, never the dead marker; a "
            + "key not named stays.")
    @Outcome(id = "12, -1, 1", expect = ACCEPTABLE, desc = "the forget came after the advance, or took its dead cell")
    @Outcome(id = "12, 12, 1", expect = ACCEPTABLE, desc = "the advance came after the forget and started 'a' afresh")
    @Outcome(expect = FORBIDDEN, desc = "the stale 10 kept, an advance lost into a dead cell, the dead marker seen, or 'b' forgotten")
    @State
    public static class AdvanceRacingForget {
        private final ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(16);

        {
            counters.advance("a", 10);
            counters.advance("b", 1);
        }

        @Actor
        public void advanceA(JJJ_Result r) {
            r.r1 = counters.advance("a", 12);
        }

        @Actor
        public void forgetA() {
            counters.forget("a"::equals);
        }

        @Arbiter
        public void after(JJJ_Result r) {
            r.r2 = counters.getAcquire("a");
            r.r3 = counters.getAcquire("b");
        }
    }
}
