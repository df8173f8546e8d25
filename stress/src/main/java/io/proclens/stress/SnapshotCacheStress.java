package io.proclens.stress;

import io.proclens.cache.ConcurrentSnapshotCache;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** The per-cgroup snapshot cache, as two loop threads open the same file of the same cgroup at once. */
public final class SnapshotCacheStress {
    private SnapshotCacheStress() {
    }

    @JCStressTest
    @Description("Two opens of a stale entry: whoever wins refreshes, the other never waits and gets a snapshot.")
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "first refreshed, second took the old snapshot meanwhile")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "second refreshed, first took the old snapshot meanwhile")
    @Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "one after the other: each found it stale and refreshed")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "one refreshed, the other took that fresh snapshot while"
            + " the refresher still held the entry")
    @Outcome(expect = FORBIDDEN, desc = "a missing snapshot, both kept the stale one (nobody refreshed), or more"
            + " refreshes than opens")
    @State
    public static class StaleEntryIsRefreshed {
        private final ConcurrentSnapshotCache<String, String> cache = new ConcurrentSnapshotCache<>(16, Long.MAX_VALUE, () -> 1000);
        private final AtomicInteger renders = new AtomicInteger();

        public StaleEntryIsRefreshed() {
            cache.getOrRender("meminfo", Long.MAX_VALUE, () -> "old");
        }

        private int open() {
            // ttl 0: the entry is always stale, so every winner of the refresh renders
            String seen = cache.getOrRender("meminfo", 0, () -> { renders.incrementAndGet(); return "new"; });
            return switch (seen) {
                case "old" -> 0;
                case "new" -> 1;
                default -> -1;
            };
        }

        @Actor
        public void first(III_Result r) {
            r.r1 = open();
        }

        @Actor
        public void second(III_Result r) {
            r.r2 = open();
        }

        @Arbiter
        public void count(III_Result r) {
            r.r3 = renders.get();
        }
    }

    @JCStressTest
    @Description("Two first opens of a new key each get a snapshot; nothing is null, whatever the order.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both got a rendered snapshot")
    @Outcome(expect = FORBIDDEN, desc = "an open got no snapshot")
    @State
    public static class FirstOpensGetASnapshot {
        private final ConcurrentSnapshotCache<String, String> cache = new ConcurrentSnapshotCache<>(16, Long.MAX_VALUE, () -> 1000);

        @Actor
        public void first(II_Result r) {
            r.r1 = "x".equals(cache.getOrRender("cpuinfo", 1_000_000, () -> "x")) ? 1 : 0;
        }

        @Actor
        public void second(II_Result r) {
            r.r2 = "x".equals(cache.getOrRender("cpuinfo", 1_000_000, () -> "x")) ? 1 : 0;
        }
    }
}
