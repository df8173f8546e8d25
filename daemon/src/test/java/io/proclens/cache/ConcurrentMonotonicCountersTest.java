package io.proclens.cache;

import static io.proclens.cache.ConcurrentMonotonicCounters.ABSENT;
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
    /** The length of a new row for a low index: the unit of the capacities below. */
    private static final int ROW = ConcurrentMonotonicCounters.MIN_LENGTH;

    /** A clock that ticks once per read, so the eviction order is the order of the calls. */
    private final AtomicLong ticks = new AtomicLong();

    private ConcurrentMonotonicCounters counters(int capacity) {
        return new ConcurrentMonotonicCounters(capacity, ticks::incrementAndGet);
    }

    @Test
    void firstAdvanceStoresTheCandidateAndTheRestOfTheRowIsZero() {
        ConcurrentMonotonicCounters c = counters(10 * ROW);
        assertEquals(ABSENT, c.getAcquire("k", 3));
        assertEquals(5, c.advance("k", 3, 5));
        assertEquals(5, c.getAcquire("k", 3));
        assertEquals(0, c.getAcquire("k", 0));
        assertEquals(0, c.getAcquire("k", ROW - 1));
        assertEquals(ABSENT, c.getAcquire("k", ROW), "beyond the row");
        assertEquals(1, c.size());
        assertEquals(ROW, c.counters());
    }

    @Test
    void neverGoesDown() {
        ConcurrentMonotonicCounters c = counters(10 * ROW);
        assertEquals(100, c.advance("k", 2, 100));
        assertEquals(100, c.advance("k", 2, 90));
        assertEquals(100, c.advance("k", 2, 0));
        assertEquals(101, c.advance("k", 2, 101));
        assertEquals(101, c.getAcquire("k", 2));
    }

    @Test
    void elementsOfARowAreIndependent() {
        ConcurrentMonotonicCounters c = counters(10 * ROW);
        c.advance("k", 0, 7);
        assertEquals(3, c.advance("k", 1, 3));
        assertEquals(7, c.getAcquire("k", 0));
        assertEquals(1, c.size());
    }

    @Test
    void forgetDropsTheRowsNamedAndOnlyThemAndAForgottenRowStartsAfresh() {
        ConcurrentMonotonicCounters c = counters(10 * ROW);
        c.advance("#1", 0, 100);
        c.advance("#1", 10, 200);
        c.advance("#2", 0, 300);
        c.advance("#3", 0, 400);
        assertEquals(2, c.forget(k -> !k.equals("#2")));
        assertEquals(1, c.size());
        assertEquals(ROW, c.counters());
        assertEquals(ABSENT, c.getAcquire("#1", 0));
        assertEquals(ABSENT, c.getAcquire("#1", 10));
        assertEquals(300, c.getAcquire("#2", 0));
        assertEquals(5, c.advance("#1", 0, 5), "a new cgroup's floor, not the removed one's 100");
        assertEquals(0, c.getAcquire("#1", 10), "the whole row starts afresh");
        assertEquals(0, c.forget(k -> false));
    }

    @Test
    void keysAreIndependent() {
        ConcurrentMonotonicCounters c = counters(10 * ROW);
        c.advance("a", 0, 7);
        assertEquals(3, c.advance("b", 0, 3));
        assertEquals(7, c.getAcquire("a", 0));
        assertEquals(2, c.size());
        assertEquals(2 * ROW, c.counters());
    }

    @Test
    void rejectsNegativeValuesBadIndexesAndNullKeys() {
        ConcurrentMonotonicCounters c = counters(10 * ROW);
        assertThrows(IllegalArgumentException.class, () -> c.advance("k", 0, -1));
        assertThrows(IllegalArgumentException.class, () -> c.advance("k", -1, 1));
        assertThrows(IllegalArgumentException.class, () -> c.advance("k", 1 << 30, 1));
        assertThrows(IllegalArgumentException.class, () -> c.getAcquire("k", -1));
        assertThrows(NullPointerException.class, () -> c.advance(null, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConcurrentMonotonicCounters(0));
        assertEquals(0, c.size());
        assertEquals(0, c.counters());
    }

    @Test
    void extremesAreStoredAsGiven() {
        ConcurrentMonotonicCounters c = counters(10 * ROW);
        assertEquals(0, c.advance("k", 0, 0));
        assertEquals(Long.MAX_VALUE, c.advance("k", 0, Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, c.advance("k", 0, 1));
    }

    @Test
    void rowLengthsArePowersOfTwoFromSixteen() {
        assertEquals(16, ConcurrentMonotonicCounters.length(0));
        assertEquals(16, ConcurrentMonotonicCounters.length(15));
        assertEquals(32, ConcurrentMonotonicCounters.length(16));
        assertEquals(32, ConcurrentMonotonicCounters.length(31));
        assertEquals(1024, ConcurrentMonotonicCounters.length(649)); // 64 CPUs: 65 lines of 10 fields
        assertEquals(1 << 30, ConcurrentMonotonicCounters.length(ConcurrentMonotonicCounters.MAX_INDEX));
    }

    // ---------------------------------------------------------------- growth

    @Test
    void aRowGrowsToCoverAnIndexAndKeepsItsValues() {
        ConcurrentMonotonicCounters c = counters(1000);
        for (int i = 0; i < ROW; i++) c.advance("k", i, 100 + i);
        assertEquals(ABSENT, c.getAcquire("k", 40));
        assertEquals(7, c.advance("k", 40, 7));
        assertEquals(64, c.counters(), "16 -> 64: the power of two that covers 40");
        assertEquals(1, c.size());
        for (int i = 0; i < ROW; i++) assertEquals(100 + i, c.getAcquire("k", i), "element " + i);
        for (int i = ROW; i < 64; i++) assertEquals(i == 40 ? 7 : 0, c.getAcquire("k", i), "element " + i);
        assertEquals(ABSENT, c.getAcquire("k", 64));
        assertEquals(105, c.advance("k", 5, 1), "still a floor after the growth");
        assertEquals(200, c.advance("k", 5, 200));
    }

    @Test
    void aGrownRowIsCreatedAtItsLengthAtOnceWhenNew() {
        ConcurrentMonotonicCounters c = counters(1000);
        c.advance("k", 100, 1);
        assertEquals(128, c.counters());
        assertEquals(1, c.getAcquire("k", 100));
    }

    @Test
    void advancesOfLowIndexesRacingGrowthLoseNothingAndNeverStepBack() throws Exception {
        // Round by round, a new row: threads advance its elements 0..15 from a shared ticket (candidates grow in
        // time), each checking that its element's read is not below what its own advance just returned, while
        // another thread grows the row 16 -> 32 -> ... -> 4096 (every copy of the low elements races the
        // advances). A value lost in a growth (copied before an advance landed in the old row) shows as such a read,
        // or at the end of the round as an element below the largest candidate given to it.
        int rounds = 1000;
        int advancers = Math.max(2, Runtime.getRuntime().availableProcessors());
        ConcurrentMonotonicCounters c = new ConcurrentMonotonicCounters(Integer.MAX_VALUE);
        AtomicLong ticket = new AtomicLong();
        java.util.concurrent.atomic.AtomicLongArray lastGiven = new java.util.concurrent.atomic.AtomicLongArray(ROW);
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(advancers + 1);
        List<String> lost = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(advancers + 1)) {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < advancers; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        String key = "k" + r;
                        barrier.await();
                        for (int i = 0; i < 500; i++) { // a failure is noted, not returned: the barrier waits
                            int index = (i + id) % ROW;
                            long candidate = ticket.incrementAndGet();
                            long got = c.advance(key, index, candidate);
                            if (got < candidate) lost.add("returned " + got + " below its candidate " + candidate);
                            long now = c.getAcquire(key, index);
                            if (now < got) lost.add(key + "[" + index + "] read " + now + " after an advance returned " + got);
                            lastGiven.accumulateAndGet(index, candidate, Math::max);
                        }
                        barrier.await();
                        barrier.await(); // the grower checks the round
                    }
                    return "";
                }));
            }
            results.add(pool.submit(() -> {
                for (int r = 0; r < rounds; r++) {
                    String key = "k" + r;
                    c.advance(key, 0, 0);
                    barrier.await();
                    for (int index = ROW; index < 4096; index *= 2) c.advance(key, index, 1); // each a growth
                    barrier.await();
                    if (c.getAcquire(key, 4095) == ABSENT) lost.add(key + " did not grow");
                    for (int i = 0; i < ROW; i++) {
                        if (c.getAcquire(key, i) != lastGiven.get(i)) {
                            lost.add(key + "[" + i + "] = " + c.getAcquire(key, i) + ", given " + lastGiven.get(i));
                        }
                        lastGiven.set(i, 0);
                    }
                    c.forget(key::equals);
                    barrier.await();
                }
                return "";
            }));
            for (Future<String> r : results) assertEquals("", r.get());
        }
        assertEquals(List.of(), lost.subList(0, Math.min(lost.size(), 5)), lost.size() + " failures");
        assertEquals(0, c.size());
        assertEquals(0, c.counters());
    }

    // ---------------------------------------------------------------- capacity

    @Test
    void capacityCountsCountersNotRows() {
        ConcurrentMonotonicCounters c = counters(5 * ROW);
        c.advance("a", 0, 1);
        c.advance("b", 0, 1);
        c.advance("big", 40, 1); // a row of 64: 96 counters in 3 rows, above 80; down to 70, oldest first
        assertEquals(ABSENT, c.getAcquire("a", 0), "the least recently used rows go");
        assertEquals(ABSENT, c.getAcquire("b", 0));
        assertEquals(1, c.getAcquire("big", 40));
        assertEquals(1, c.size());
        assertEquals(64, c.counters());
    }

    @Test
    void aGrowthAboveCapacityEvictsTheLeastRecentlyUsedRows() {
        ConcurrentMonotonicCounters c = counters(4 * ROW);
        for (String k : List.of("a", "b", "c")) c.advance(k, 0, 10);
        c.advance("a", 0, 11); // a is now the most recently used
        c.advance("c", ROW, 10); // c grows to 32: 64 counters, at capacity, nothing goes
        assertEquals(3, c.size());
        c.advance("a", ROW, 12); // a grows to 32: 80 > 64, down to 56 least recently used first: b, then c
        assertEquals(ABSENT, c.getAcquire("b", 0));
        assertEquals(ABSENT, c.getAcquire("c", 0));
        assertEquals(11, c.getAcquire("a", 0));
        assertEquals(12, c.getAcquire("a", ROW));
        assertEquals(1, c.size());
        assertEquals(2 * ROW, c.counters());
    }

    @Test
    void evictsTheLeastRecentlyUsedAboveCapacity() {
        ConcurrentMonotonicCounters c = counters(4 * ROW);
        for (String k : List.of("a", "b", "c", "d")) c.advance(k, 0, 10);
        c.advance("a", 0, 11); // a is now the most recently used
        c.advance("e", 0, 10); // 5 rows of 16 = 80 > 64: down to 56, b and c, the least recently used, go
        assertEquals(3, c.size());
        assertEquals(3 * ROW, c.counters());
        assertEquals(ABSENT, c.getAcquire("b", 0));
        assertEquals(ABSENT, c.getAcquire("c", 0));
        assertEquals(11, c.getAcquire("a", 0));
        assertEquals(10, c.getAcquire("d", 0));
        assertEquals(10, c.getAcquire("e", 0));
    }

    @Test
    void evictsAnEighthBelowCapacityAtOnce() {
        ConcurrentMonotonicCounters c = counters(16 * ROW);
        for (int i = 0; i < 17; i++) c.advance("k" + i, 0, i);
        assertEquals(14, c.size()); // down to 16 - 16 / 8 rows' worth
        assertEquals(14 * ROW, c.counters());
        assertEquals(ABSENT, c.getAcquire("k0", 0));
        assertEquals(ABSENT, c.getAcquire("k2", 0));
        assertEquals(3, c.getAcquire("k3", 0));
        assertEquals(16, c.getAcquire("k16", 0));
    }

    @Test
    void anEvictedRowStartsAgainFromItsCandidate() {
        ConcurrentMonotonicCounters c = counters(ROW + ROW / 2); // room for one row
        c.advance("a", 0, 100);
        c.advance("b", 0, 1);
        assertEquals(ABSENT, c.getAcquire("a", 0));
        assertEquals(1, c.getAcquire("b", 0));
        assertEquals(50, c.advance("a", 0, 50));
        assertEquals(1, c.size());
        assertEquals(ABSENT, c.getAcquire("b", 0));
    }

    // ---------------------------------------------------------------- threads

    @Test
    void manyThreadsOnFewElementsLoseNoUpdate() throws Exception {
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
                    long[] lastSeen = new long[keys.size() * 2];
                    for (int i = 0; i < rounds; i++) {
                        int k = i % (keys.size() * 2);
                        long candidate = (long) i * threads + id;
                        long got = c.advance(keys.get(k / 2), k % 2, candidate);
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
        // the largest candidate of each element was given by some thread: it must be the final value
        for (int k = 0; k < keys.size() * 2; k++) {
            long max = 0;
            for (int i = k; i < rounds; i += keys.size() * 2) max = Math.max(max, (long) i * threads + threads - 1);
            assertEquals(max, c.getAcquire(keys.get(k / 2), k % 2), keys.get(k / 2) + "[" + k % 2 + "]");
        }
    }

    @Test
    void racingAdvancesNeverStepBackBelowWhatOneOfThemReturned() throws Exception {
        // Candidates come from one shared ticket, so they grow in time; a lost update (a smaller candidate stored
        // over a larger one) shows as a read below what this thread's own advance just returned.
        ConcurrentMonotonicCounters c = new ConcurrentMonotonicCounters(10 * ROW);
        AtomicLong ticket = new AtomicLong();
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 1_000_000; i++) {
                        long got = c.advance("k", 3, ticket.incrementAndGet());
                        long now = c.getAcquire("k", 3);
                        if (now < got) return "read " + now + " after an advance returned " + got;
                    }
                    return "";
                }));
            }
            start.countDown();
            for (Future<String> r : results) assertEquals("", r.get());
        }
        assertEquals(ticket.get(), c.getAcquire("k", 3));
    }

    @Test
    void manyThreadsWithConstantEvictionAndGrowthNeverSeeTheDeadMarker() throws Exception {
        int threads = 8;
        ConcurrentMonotonicCounters c = new ConcurrentMonotonicCounters(4 * ROW);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        long candidate = i;
                        int index = (i * 7 + id) % (2 * ROW); // half of them past a new row: growth
                        long got = c.advance("k" + ((i + id) % 12), index, candidate);
                        if (got < candidate) return "returned " + got + " below its candidate " + candidate;
                        if (c.getAcquire("k" + (i % 12), index) < ABSENT) return "dead marker seen";
                    }
                    return "";
                }));
            }
            for (Future<String> r : results) assertEquals("", r.get());
        }
        assertTrue(c.counters() <= 4 * ROW, "once the inserts stop, within the capacity: " + c.counters());
        long sum = 0;
        for (int k = 0; k < 12; k++) {
            for (int len = 2 * ROW; len > 0; len--) {
                if (c.getAcquire("k" + k, len - 1) != ABSENT) {
                    sum += len;
                    break;
                }
            }
        }
        assertEquals(sum, c.counters(), "the running total is the rows' lengths");
    }
}
