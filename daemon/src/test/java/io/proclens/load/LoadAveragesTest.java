package io.proclens.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import io.proclens.cgroup.CgroupException;
import io.proclens.cgroup.TaskCounts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadAveragesTest {
    private static final long SECOND = 1_000_000_000L;

    /** A counter whose answer per cgroup the test sets; unknown cgroups are GONE. */
    static final class FakeCounter implements TaskCounter {
        final Map<String, Object> answers = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        void set(Cgroup cgroup, Object countsOrException) {
            answers.put(cgroup.key(), countsOrException);
        }

        @Override
        public TaskCounts count(Cgroup cgroup) {
            calls.incrementAndGet();
            Object answer = answers.get(cgroup.key());
            if (answer == null) throw new CgroupException(CgroupException.Kind.GONE, cgroup + " removed");
            if (answer instanceof RuntimeException e) throw e;
            return (TaskCounts) answer;
        }
    }

    static Cgroup cgroup(String name) {
        Path root = Path.of("/sys/fs/cgroup/cpu");
        return Cgroup.of(Map.of(Controller.CPU, new Location(Version.V1, root.resolve(name), root)));
    }

    final FakeCounter counter = new FakeCounter();
    final AtomicLong clock = new AtomicLong(1000 * SECOND);
    final LoadAverages averages = new LoadAverages(counter, Duration.ofMinutes(10), clock::get);

    private void sampleEvery5s(int times) {
        for (int i = 0; i < times; i++) {
            clock.addAndGet(5 * SECOND);
            averages.sampleAll();
        }
    }

    @Test
    void aCgroupIsRegisteredByItsFirstAskWithZeroAverages() {
        Cgroup c = cgroup("a");
        assertEquals(0, averages.tracked());

        assertSame(Loadavg.INITIAL, averages.current(c));
        assertEquals(1, averages.tracked());
        assertEquals(0, counter.calls.get(), "asking does not count tasks");
        assertSame(Loadavg.INITIAL, averages.current(cgroup("a")), "same key, same entry");
        assertEquals(1, averages.tracked());
    }

    @Test
    void sampleAllUpdatesEveryTrackedCgroupLikeTheKernel() {
        Cgroup busy = cgroup("busy");
        Cgroup idle = cgroup("idle");
        TaskCounts one = new TaskCounts(1, 0, 4, 321);
        counter.set(busy, one);
        counter.set(idle, TaskCounts.NONE);
        averages.current(busy);
        averages.current(idle);

        sampleEvery5s(12);

        assertEquals(new Loadavg(1299, 378, 132, one, 12), averages.current(busy));
        assertEquals(new Loadavg(0, 0, 0, TaskCounts.NONE, 12), averages.current(idle));
        assertEquals(24, counter.calls.get());
    }

    @Test
    void aRemovedCgroupIsDroppedAtTheNextSample() {
        Cgroup kept = cgroup("kept");
        Cgroup removed = cgroup("removed");
        counter.set(kept, TaskCounts.NONE);
        averages.current(kept);
        averages.current(removed); // the counter answers GONE for it

        sampleEvery5s(1);

        assertEquals(1, averages.tracked());
        assertEquals(1, averages.current(kept).samples());
        assertEquals(0, averages.failedSamples(), "a removed cgroup is not a failure");
    }

    @Test
    void aCgroupNotAskedForDuringTheIdleTimeIsDropped() {
        Cgroup asked = cgroup("asked");
        Cgroup forgotten = cgroup("forgotten");
        counter.set(asked, new TaskCounts(1, 0, 1, 1));
        counter.set(forgotten, new TaskCounts(1, 0, 1, 1));
        averages.current(asked);
        averages.current(forgotten);

        for (int minute = 0; minute < 10; minute++) {
            sampleEvery5s(12);
            averages.current(asked);
        }
        assertEquals(2, averages.tracked(), "exactly 10 minutes idle is not more than 10 minutes");
        sampleEvery5s(1);

        assertEquals(1, averages.tracked());
        assertEquals(121, averages.current(asked).samples());
        assertSame(Loadavg.INITIAL, averages.current(forgotten), "asked again: registered anew");
    }

    @Test
    void anErrorKeepsTheLastAveragesAndIsCounted() {
        Cgroup c = cgroup("c");
        counter.set(c, new TaskCounts(2, 0, 2, 9));
        averages.current(c);
        sampleEvery5s(3);
        Loadavg before = averages.current(c);

        counter.set(c, new CgroupException(CgroupException.Kind.MALFORMED, "bad tasks file"));
        sampleEvery5s(2);

        assertSame(before, averages.current(c));
        assertEquals(2, averages.failedSamples());
        assertEquals(1, averages.tracked());
        counter.set(c, new TaskCounts(2, 0, 2, 9));
        sampleEvery5s(1);
        assertEquals(4, averages.current(c).samples());
    }

    @Test
    void readersDoNotWaitForASampleUnderWay() throws Exception {
        Cgroup slow = cgroup("slow");
        CountDownLatch counting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadAverages blocking = new LoadAverages(c -> {
            counting.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new TaskCounts(1, 0, 1, 1);
        });
        blocking.current(slow);
        Thread sampler = new Thread(blocking::sampleAll);
        sampler.start();
        try {
            assertTrue(counting.await(10, TimeUnit.SECONDS));
            // the sampler holds its lock and sits in count(): readers of old and new cgroups answer at once
            assertSame(Loadavg.INITIAL, blocking.current(slow));
            assertSame(Loadavg.INITIAL, blocking.current(cgroup("new")));
        } finally {
            release.countDown();
            sampler.join();
        }
        assertEquals(1, blocking.current(slow).samples());
    }

    /** A cgroup sampled 3 times, then left alone past the idle time: the sampler is about to evict it. */
    private Cgroup idleWithHistory() {
        Cgroup c = cgroup("c");
        counter.set(c, new TaskCounts(1, 0, 1, 1));
        averages.current(c);
        sampleEvery5s(3);
        clock.addAndGet(11 * 60 * SECOND);
        return c;
    }

    @Test
    void aReaderAskingBetweenTheIdleCheckAndTheMarkKeepsTheAverages() {
        // the interleavings jcstress explores, forced step by step: sampler reads lastAsked (idle), reader asks,
        // sampler marks and looks again
        Cgroup c = idleWithHistory();
        LoadAverages.Entry entry = averages.entry(c);
        long asked = entry.getLastAskedVolatile();

        assertEquals(3, averages.current(c).samples(), "the reader sees the history");
        entry.markEvictedVolatile();
        averages.finishEviction(entry, asked);

        assertEquals(1, averages.tracked());
        assertEquals(3, averages.current(c).samples(), "kept, in a fresh entry");
        assertTrue(averages.entry(c) != entry);
    }

    @Test
    void aReaderAskingAfterTheMarkCarriesTheAveragesOver() {
        Cgroup c = idleWithHistory();
        LoadAverages.Entry entry = averages.entry(c);
        long asked = entry.getLastAskedVolatile();
        entry.markEvictedVolatile();

        assertEquals(3, averages.current(c).samples(), "the reader sees the mark and registers again with the history");
        averages.finishEviction(entry, asked); // its replace finds the reader's entry there and does nothing

        assertEquals(1, averages.tracked());
        assertEquals(3, averages.current(c).samples());
        assertEquals(4, sampledOnce(c).samples(), "the new entry is sampled on");
    }

    @Test
    void aReaderAskingAfterTheEvictionStartsAfresh() {
        Cgroup c = idleWithHistory();
        averages.sampleAll();

        assertEquals(0, averages.tracked());
        assertSame(Loadavg.INITIAL, averages.current(c));
    }

    private Loadavg sampledOnce(Cgroup c) {
        sampleEvery5s(1);
        return averages.current(c);
    }

    @Test
    void startSchedulesSampleAllEveryFiveSecondsAndCloseCancels() {
        List<Runnable> runs = new ArrayList<>();
        List<Long> periods = new ArrayList<>();
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
                runs.add(command);
                periods.add(unit.toMillis(period));
                ScheduledFuture<?> future = super.scheduleAtFixedRate(command, 1, 1, TimeUnit.DAYS);
                futures.add(future);
                return future;
            }
        };
        try {
            Cgroup c = cgroup("c");
            counter.set(c, new TaskCounts(1, 0, 1, 1));
            averages.current(c);
            averages.start(executor);
            assertThrows(IllegalStateException.class, () -> averages.start(executor));

            assertEquals(List.of(5000L), periods);
            runs.getFirst().run();
            assertEquals(1, averages.current(c).samples());

            // an exception escaping a run is logged, never thrown into the executor (it would stop every later run)
            counter.set(c, new IllegalStateException("bug"));
            runs.getFirst().run();
            counter.set(c, new TaskCounts(1, 0, 1, 1));
            runs.getFirst().run();
            assertEquals(2, averages.current(c).samples());

            averages.close();
            assertTrue(futures.getFirst().isCancelled());
            averages.close();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void startWithItsOwnDaemonThread() throws Exception {
        LoadAverages own = new LoadAverages(c -> TaskCounts.NONE);
        own.start();
        try {
            Thread thread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("proclens-loadavg")).findFirst().orElseThrow();
            assertTrue(thread.isDaemon());
        } finally {
            own.close();
        }
    }

    @Test
    void theIdleTimeIsAtLeastOneSample() {
        assertThrows(IllegalArgumentException.class,
                () -> new LoadAverages(counter, Duration.ofSeconds(4), clock::get));
    }
}
