package io.proclens.cache;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConcurrentSnapshotCacheTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final AtomicInteger renders = new AtomicInteger();
    private final ConcurrentSnapshotCache<String, String> cache = new ConcurrentSnapshotCache<>(4, 10_000, clock::get);

    private String render(String what) {
        return cache.getOrRender(what, 100, () -> what + "#" + renders.incrementAndGet());
    }

    @Test
    void reusesASnapshotYoungerThanTheTtl() {
        String first = render("a");
        clock.addAndGet(99);
        assertSame(first, render("a"));
        clock.addAndGet(1);
        assertEquals("a#2", render("a"), "rendered again once the ttl has passed");
        assertEquals(2, renders.get());
    }

    @Test
    void countsItsHitsAndItsRenders() {
        render("a");
        render("a");
        render("b");
        clock.addAndGet(100);
        render("a");
        assertEquals(1, cache.hits(), "the second read of a");
        assertEquals(3, cache.renders(), "a, b, and a again once stale");
    }

    @Test
    void keysDoNotShareSnapshots() {
        assertEquals("a#1", render("a"));
        assertEquals("b#2", render("b"));
        assertEquals("a#1", render("a"));
    }

    @Test
    void aTtlOfZeroRendersEveryTime() {
        cache.getOrRender("a", 0, () -> "x" + renders.incrementAndGet());
        cache.getOrRender("a", 0, () -> "x" + renders.incrementAndGet());
        assertEquals(2, renders.get());
    }

    @Test
    void aFailedRenderKeepsThePreviousSnapshotAndTheNextCallRendersAgain() {
        assertEquals("a#1", render("a"));
        clock.addAndGet(200);
        assertThrows(IllegalStateException.class,
                () -> cache.getOrRender("a", 100, () -> { throw new IllegalStateException("cgroup gone"); }));
        assertEquals("a#2", render("a"), "the refresh flag was released");
    }

    @Test
    void idleEntriesAreSweptByTheNextCallerAfterTheIdleTime() {
        render("old");
        clock.addAndGet(5_000);
        render("recent");
        clock.addAndGet(6_000); // old idle 11 000, recent 6 000; the last sweep was 11 000 ago
        render("trigger");
        assertEquals(2, cache.size(), "old dropped; recent and trigger kept");
    }

    @Test
    void overflowingTheCapacityDropsEverything() {
        for (String key : new String[]{"a", "b", "c", "d"}) render(key);
        assertEquals(4, cache.size());
        render("e");
        assertEquals(0, cache.size());
        assertEquals("a#6", render("a"));
    }
}
