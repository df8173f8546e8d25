package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proclens.cgroup.TaskCounts;
import io.proclens.load.Loadavg;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LoadavgViewTest {

    private static Loadavg averages(long load1, long load5, long load15) {
        return new Loadavg(load1, load5, load15, TaskCounts.NONE, 1);
    }

    @Test
    void oneRunnableTaskForAMinute() {
        // 12 samples of 1 active task from 0 (LoadavgTest): 1299, 378, 132 in fixed point
        Loadavg minute = new Loadavg(1299, 378, 132, new TaskCounts(1, 0, 123, 4567), 12);

        assertEquals("0.63 0.18 0.06 1/123 4567\n", LoadavgView.render(minute, minute.counts()));
    }

    @Test
    void noTasksNoLoad() {
        assertEquals("0.00 0.00 0.00 0/0 0\n", LoadavgView.render(Loadavg.INITIAL, TaskCounts.NONE));
    }

    @Test
    void runningIsStateROnlyWhileTheAveragesCountDToo() {
        // the kernel prints nr_running() (R); LXCFS would print 3/5 here
        assertEquals("0.00 0.00 0.00 1/5 77\n", LoadavgView.render(Loadavg.INITIAL, new TaskCounts(1, 2, 5, 77)));
    }

    /** The kernel adds FIXED_1/200 = 10 before LOAD_INT and LOAD_FRAC: hundredths round to nearest, from x.xx5. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0, 0.00",
            "9, 0.00",       // (9 + 10) * 100 >> 11 = 0
            "10, 0.00",      // 20 * 100 = 2000 < 2048
            "11, 0.01",      // 21 * 100 = 2100
            "30, 0.01",
            "31, 0.02",
            "1023, 0.50",
            "2037, 0.99",    // 2047 * 100 >> 11 = 99
            "2038, 1.00",    // 2048: carries into the integer part
            "2048, 1.00",
            "6144, 3.00",
            "42997, 20.99",
            "4398046509056, 2147483647.00", // Loadavg.MAX_LOAD
    })
    void averagesPrintLikeTheKernel(long fixedPoint, String printed) {
        assertEquals(printed + " " + printed + " " + printed + " 0/0 0\n",
                LoadavgView.render(averages(fixedPoint, fixedPoint, fixedPoint), TaskCounts.NONE));
    }

    @Test
    void eachAverageInItsPlace() {
        assertEquals("1.00 0.50 0.01 2/3 4\n",
                LoadavgView.render(averages(2048, 1024, 21), new TaskCounts(2, 0, 3, 4)));
    }

    @Test
    void hostFileIsPassedThrough() throws IOException {
        String host;
        try (InputStream in = LoadavgViewTest.class.getResourceAsStream("/loadavg/host-loadavg")) {
            host = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        assertEquals("4.92 3.53 2.70 1/86 1110\n", host);
        assertEquals(host, LoadavgView.host(host));
        assertThrows(NullPointerException.class, () -> LoadavgView.host(null));
    }

    @Test
    void negativeAveragesAreABug() {
        assertThrows(IllegalArgumentException.class, () -> LoadavgView.average(new StringBuilder(), -1));
        assertThrows(NullPointerException.class, () -> LoadavgView.render(null, TaskCounts.NONE));
    }
}
