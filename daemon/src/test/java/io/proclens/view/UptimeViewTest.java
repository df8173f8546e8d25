package io.proclens.view;

import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UptimeViewTest {

    /** This machine's /proc/uptime: "379.87 657.21\n". */
    private static final String HOST = Fixtures.read("uptime-host.txt");
    private static final OptionalDouble IN_HOST_PIDNS = OptionalDouble.empty();

    private static OptionalDouble age(double seconds) {
        return OptionalDouble.of(seconds);
    }

    @Test
    void hostPidNamespaceGetsTheHostsLine() {
        assertEquals("379.87 657.21\n", HOST);
        assertEquals(HOST, UptimeView.render(HOST, IN_HOST_PIDNS, 2, 12.5));
        // Only the first line, with its newline, even when the host text has none.
        assertEquals("1.50 2.75\n", UptimeView.render("1.50 2.75", IN_HOST_PIDNS, 2, 0));
    }

    @Test
    void containerUptimeAndIdleSummedOverCpus() {
        // 100.5 s on 2 CPUs is 201 CPU-seconds, of which the cgroup used 50.
        assertEquals("100.50 151.00\n", UptimeView.render(HOST, age(100.5), 2, 50));
        assertEquals("100.50 50.50\n", UptimeView.render(HOST, age(100.5), 1, 50));
        assertEquals("10.00 40.00\n", UptimeView.render(HOST, age(10), 4, 0));
    }

    @Test
    void containerUptimeIsClampedToTheHostsUptime() {
        assertEquals("379.87 759.74\n", UptimeView.render(HOST, age(1e6), 2, 0));
        assertEquals("379.87 759.74\n", UptimeView.render(HOST, age(Double.POSITIVE_INFINITY), 2, 0));
        assertEquals("0.00 0.00\n", UptimeView.render(HOST, age(-3), 2, 0));
        assertEquals("0.00 0.00\n", UptimeView.render(HOST, age(Double.NaN), 2, 0));
    }

    @Test
    void idleIsClampedAtZero() {
        assertEquals("100.00 0.00\n", UptimeView.render(HOST, age(100), 2, 500));
        assertEquals("100.00 0.00\n", UptimeView.render(HOST, age(100), 2, Double.POSITIVE_INFINITY));
        // A broken counter counts as no CPU used.
        assertEquals("100.00 200.00\n", UptimeView.render(HOST, age(100), 2, -1));
        assertEquals("100.00 200.00\n", UptimeView.render(HOST, age(100), 2, Double.NaN));
        // Fewer than one CPU counts as one.
        assertEquals("100.00 100.00\n", UptimeView.render(HOST, age(100), 0, 0));
    }

    @Test
    void twoDecimalsTruncatedLikeTheKernel() {
        assertEquals("0.29 0.29\n", UptimeView.render(HOST, age(0.29), 1, 0));
        // 0.299 s and 0.598 idle: truncated, not rounded to 0.30 and 0.60.
        assertEquals("0.29 0.59\n", UptimeView.render(HOST, age(0.299), 2, 0));
        assertEquals("379.87 0.00\n", UptimeView.render("379.875 1.00\n", age(379.875), 1, 400));
        assertEquals("12.00 12.00\n", UptimeView.render(HOST, age(12), 1, 0));
    }

    @Test
    void malformedHostTextNeverThrows() {
        assertEquals("0.00 0.00\n", UptimeView.render("", IN_HOST_PIDNS, 2, 0));
        assertEquals("0.00 0.00\n", UptimeView.render("garbage", IN_HOST_PIDNS, 2, 0));
        assertEquals("0.00 0.00\n", UptimeView.render("NaN Infinity\n", IN_HOST_PIDNS, 2, 0));
        assertEquals("0.00 0.00\n", UptimeView.render("1e5 0x1p3\n", IN_HOST_PIDNS, 2, 0));
        assertEquals("0.00 0.00\n", UptimeView.render("-5.00 -1.00\n", IN_HOST_PIDNS, 2, 0));
        assertEquals("258.06 0.00\n", UptimeView.render("258.06", IN_HOST_PIDNS, 2, 0));
        // Whole seconds are a plain decimal too: well-formed, so the host's line.
        assertEquals("258.06 4\n", UptimeView.render("258.06 4", IN_HOST_PIDNS, 2, 0));
        assertEquals("258.06 430.47\n", UptimeView.render("258.06 430.47 extra\n", IN_HOST_PIDNS, 2, 0));
        // Without a host uptime to clamp to, the container's age is taken as it is.
        assertEquals("10.00 20.00\n", UptimeView.render("garbage", age(10), 2, 0));
        assertEquals("10.00 20.00\n", UptimeView.render("", age(10), 2, 0));
    }
}
