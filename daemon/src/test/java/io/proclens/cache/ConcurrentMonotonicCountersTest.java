package io.proclens.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConcurrentMonotonicCountersTest {
    /** A clock that ticks once per read, so the eviction order is the order of the calls. */
    private final AtomicLong ticks = new AtomicLong();

    private ConcurrentMonotonicCounters counters(int capacity) {
        return new ConcurrentMonotonicCounters(capacity, ticks::incrementAndGet);
    }

    @Test
    void firstAdvanceStoresTheCandidate() {
        ConcurrentMonotonicCounters c = counters(10);
        assertEquals(ConcurrentMonotonicCounters.ABSENT, c.getAcquire("k"));
        assertEquals(5, c.advance("k", 5));
        assertEquals(5, c.getAcquire("k"));
    }

    @Test
    void neverGoesDown() {
        ConcurrentMonotonicCounters c = counters(10);
        assertEquals(100, c.advance("k", 100));
        assertEquals(100, c.advance("k", 90));
        assertEquals(100, c.advance("k", 0));
        assertEquals(101, c.advance("k", 101));
        assertEquals(101, c.getAcquire("k"));
    }

    @Test
    void forgetDropsTheKeysNamedAndOnlyThemAndAForgottenKeyStartsAfresh() {
        ConcurrentMonotonicCounters c = counters(10);
        c.advance("#1 cpu0 0", 100);
        c.advance("#1 cpu 0", 200);
        c.advance("#2 cpu0 0", 300);
        assertEquals(2, c.forget(k -> k.startsWith("#1 ")));
        assertEquals(1, c.size());
        assertEquals(ConcurrentMonotonicCounters.ABSENT, c.getAcquire("#1 cpu0 0"));
        assertEquals(300, c.getAcquire("#2 cpu0 0"));
        assertEquals(5, c.advance("#1 cpu0 0", 5), "a new cgroup's floor, not the removed one's 100");
        assertEquals(0, c.forget(k -> false));
    }

    @Test
    void keysAreIndependent() {
        ConcurrentMonotonicCounters c = counters(10);
        c.advance("a", 7);
        assertEquals(3, c.advance("b", 3));
        assertEquals(7, c.getAcquire("a"));
        assertEquals(2, c.size());
    }

    @Test
    void rejectsNegativeValuesAndNullKeys() {
        ConcurrentMonotonicCounters c = counters(10);
        assertThrows(IllegalArgumentException.class, () -> c.advance("k", -1));
        assertThrows(NullPointerException.class, () -> c.advance(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConcurrentMonotonicCounters(0));
        assertEquals(0, c.size());
    }

    @Test
    void extremesAreStoredAsGiven() {
        ConcurrentMonotonicCounters c = counters(10);
        assertEquals(0, c.advance("k", 0));
        assertEquals(Long.MAX_VALUE, c.advance("k", Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, c.advance("k", 1));
    }

    @Test
    void evictsTheLeastRecentlyUsedAboveCapacity() {
        ConcurrentMonotonicCounters c = counters(4);
        for (String k : List.of("a", "b", "c", "d")) c.advance(k, 10);
        c.advance("a", 11); // a is now the most recently used
        c.advance("e", 10); // 5 keys > 4: b, the least recently used, goes
        assertEquals(4, c.size());
        assertEquals(ConcurrentMonotonicCounters.ABSENT, c.getAcquire("b"));
        assertEquals(11, c.getAcquire("a"));
        assertEquals(10, c.getAcquire("e"));
    }

    @Test
    void evictsAnEighthBelowCapacityAtOnce() {
        ConcurrentMonotonicCounters c = counters(16);
        for (int i = 0; i < 17; i++) c.advance("k" + i, i);
        assertEquals(14, c.size()); // down to 16 - 16 / 8
        assertEquals(ConcurrentMonotonicCounters.ABSENT, c.getAcquire("k0"));
        assertEquals(ConcurrentMonotonicCounters.ABSENT, c.getAcquire("k2"));
        assertEquals(3, c.getAcquire("k3"));
        assertEquals(16, c.getAcquire("k16"));
    }

    @Test
    void anEvictedKeyStartsAgainFromItsCandidate() {
        ConcurrentMonotonicCounters c = counters(1);
        c.advance("a", 100);
        c.advance("b", 1);
        assertEquals(ConcurrentMonotonicCounters.ABSENT, c.getAcquire("a"));
        assertEquals(50, c.advance("a", 50));
        assertEquals(1, c.size());
    }

    @Test
    void manyThreadsOnFewKeysLoseNoUpdate() throws Exception {
        int threads = 8;
        int rounds = 20_000;
        ConcurrentMonotonicCounters c = new ConcurrentMonotonicCounters(1000);
        List<String> keys = List.of("x", "y", "z");
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    long[] lastSeen = new long[keys.size()];
                    for (int i = 0; i < rounds; i++) {
                        int k = i % keys.size();
                        long candidate = (long) i * threads + id;
                        long got = c.advance(keys.get(k), candidate);
                        if (got < candidate) return "returned " + got + " below its candidate " + candidate;
                        if (got < lastSeen[k]) return "went down from " + lastSeen[k] + " to " + got;
                        lastSeen[k] = got;
                    }
                    return "";
                }));
            }
            start.countDown();
            for (Future<String> r : results) assertEquals("", r.get());
        }
        // the largest candidate of each key was given by some thread: it must be the final value
        for (int k = 0; k < keys.size(); k++) {
            long max = 0;
            for (int i = k; i < rounds; i += keys.size()) max = Math.max(max, (long) i * threads + threads - 1);
            assertEquals(max, c.getAcquire(keys.get(k)), keys.get(k));
        }
    }

    @Test
    void racingAdvancesNeverStepBackBelowWhatOneOfThemReturned() throws Exception {
        // Candidates come from one shared ticket, so they grow in time; a lost update (a smaller candidate stored
        // over a larger one) shows as a read below what this thread's own advance just returned.
        ConcurrentMonotonicCounters c = new ConcurrentMonotonicCounters(10);
        AtomicLong ticket = new AtomicLong();
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 1_000_000; i++) {
                        long got = c.advance("k", ticket.incrementAndGet());
                        long now = c.getAcquire("k");
                        if (now < got) return "read " + now + " after an advance returned " + got;
                    }
                    return "";
                }));
            }
            start.countDown();
            for (Future<String> r : results) assertEquals("", r.get());
        }
        assertEquals(ticket.get(), c.getAcquire("k"));
    }

    @Test
    void manyThreadsWithConstantEvictionNeverSeeTheDeadMarker() throws Exception {
        int threads = 8;
        ConcurrentMonotonicCounters c = new ConcurrentMonotonicCounters(4);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        long candidate = i;
                        long got = c.advance("k" + ((i + id) % 12), candidate);
                        if (got < candidate) return "returned " + got + " below its candidate " + candidate;
                        if (c.getAcquire("k" + (i % 12)) < ConcurrentMonotonicCounters.ABSENT) return "dead marker seen";
                    }
                    return "";
                }));
            }
            for (Future<String> r : results) assertEquals("", r.get());
        }
        assertTrue(c.size() <= 4 + threads, "size " + c.size());
    }
}
