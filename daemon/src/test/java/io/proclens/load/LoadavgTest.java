package io.proclens.load;

import static io.proclens.load.Loadavg.EXP_1;
import static io.proclens.load.Loadavg.EXP_15;
import static io.proclens.load.Loadavg.EXP_5;
import static io.proclens.load.Loadavg.FIXED_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proclens.cgroup.TaskCounts;
import org.junit.jupiter.api.Test;

/** The kernel's fixed-point arithmetic, against values computed by hand from include/linux/sched/loadavg.h. */
class LoadavgTest {

    private static Loadavg samples(Loadavg from, TaskCounts counts, int n) {
        Loadavg load = from;
        for (int i = 0; i < n; i++) load = load.next(counts);
        return load;
    }

    private static TaskCounts active(int running, int uninterruptible) {
        return new TaskCounts(running, uninterruptible, running + uninterruptible + 3, 4000);
    }

    @Test
    void theKernelsConstants() {
        assertEquals(11, Loadavg.FSHIFT);
        assertEquals(2048, FIXED_1);
        assertEquals(1884, EXP_1);
        assertEquals(2014, EXP_5);
        assertEquals(2037, EXP_15);
    }

    @Test
    void oneSampleOfOneTaskFromZero() {
        // (0 * e + 2048 * (2048 - e) + 2047) / 2048, rounded up because the load rises
        assertEquals(new Loadavg(164, 34, 11, active(1, 0), 1), Loadavg.INITIAL.next(active(1, 0)));
    }

    @Test
    void oneRunnableTaskForAMinute() {
        // 12 samples 5 s apart; 1 - e^(-60/60) = 0.632, 1 - e^(-60/300) = 0.181, 1 - e^(-60/900) = 0.064
        Loadavg minute = samples(Loadavg.INITIAL, active(1, 0), 12);

        assertEquals(1299, minute.load1());
        assertEquals(378, minute.load5());
        assertEquals(132, minute.load15());
        assertEquals(12, minute.samples());
    }

    @Test
    void thenIdleForAMinute() {
        Loadavg idle = samples(samples(Loadavg.INITIAL, active(1, 0), 12), TaskCounts.NONE, 12);

        assertEquals(474, idle.load1());
        assertEquals(303, idle.load5());
        assertEquals(120, idle.load15());
        assertEquals(TaskCounts.NONE, idle.counts());
    }

    @Test
    void uninterruptibleTasksCountLikeRunningOnes() {
        assertEquals(samples(Loadavg.INITIAL, active(3, 0), 7).load15(),
                samples(Loadavg.INITIAL, active(1, 2), 7).load15());
    }

    @Test
    void aSteadyLoadIsReachedExactlyAndAnIdleOneFallsToZero() {
        // the round-up while rising is what lets 3.00 be reached; without it the averages stop at 2.99
        Loadavg steady = samples(Loadavg.INITIAL, active(2, 1), 2000);
        assertEquals(3 * FIXED_1, steady.load1());
        assertEquals(3 * FIXED_1, steady.load5());
        assertEquals(3 * FIXED_1, steady.load15());

        Loadavg idle = samples(steady, TaskCounts.NONE, 3000);
        assertEquals(0, idle.load1());
        assertEquals(0, idle.load5());
        assertEquals(0, idle.load15());
    }

    @Test
    void calcLoadRoundsUpOnlyWhileRising() {
        assertEquals(1, Loadavg.calcLoad(0, EXP_1, 1));       // (1 * 164 + 2047) / 2048
        assertEquals(0, Loadavg.calcLoad(1, EXP_1, 0));       // 1884 / 2048, falling: down
        assertEquals(FIXED_1, Loadavg.calcLoad(FIXED_1, EXP_15, FIXED_1)); // steady stays
        assertEquals(2047, Loadavg.calcLoad(FIXED_1, EXP_15, 2047));  // (2048*2037 + 2047*11) / 2048 = 2047.99
    }

    @Test
    void theLargestCountsDoNotOverflow() {
        TaskCounts most = new TaskCounts(Integer.MAX_VALUE, 0, Integer.MAX_VALUE, Integer.MAX_VALUE);
        Loadavg load = samples(Loadavg.INITIAL, most, 8000);
        assertEquals(Loadavg.MAX_LOAD, load.load1());
        assertEquals(Loadavg.MAX_LOAD, load.load15());
        assertEquals(0, samples(load, TaskCounts.NONE, 8000).load15());
    }

    @Test
    void impossibleAveragesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Loadavg(-1, 0, 0, TaskCounts.NONE, 0));
        assertThrows(IllegalArgumentException.class, () -> new Loadavg(0, Loadavg.MAX_LOAD + 1, 0, TaskCounts.NONE, 0));
        assertThrows(IllegalArgumentException.class, () -> new Loadavg(0, 0, 0, TaskCounts.NONE, -1));
        assertThrows(NullPointerException.class, () -> new Loadavg(0, 0, 0, null, 0));
    }

    @Test
    void taskCountsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new TaskCounts(-1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TaskCounts(2, 2, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> new TaskCounts(Integer.MAX_VALUE, 1, Integer.MAX_VALUE, 0));
        assertEquals(7, new TaskCounts(3, 4, 9, 1).active());
    }
}
