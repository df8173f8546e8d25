package io.proclens.view;

import io.proclens.cgroup.MemoryStats;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** For random cgroup numbers, meminfo and uptime never print a negative or wrapped number. */
class MeminfoViewPropertyTest {
    private static final String HOST_SWAP = Fixtures.read("meminfo-host-swap.txt");
    private static final String HOST_UPTIME = Fixtures.read("uptime-host.txt");

    /** Byte counts from 0 to 2^63 - 1, weighted to the edges where subtractions go wrong. */
    private static Arbitrary<Long> bytes() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(0, 64L << 30)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0L, 1L, 1023L, Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 62)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, Long.MAX_VALUE)));
    }

    @Provide
    Arbitrary<MemoryStats> stats() {
        Arbitrary<Long> swapLimit = Arbitraries.oneOf(bytes(), Arbitraries.of(MemoryStats.UNLIMITED,
                MemoryStats.NO_SWAP_ACCOUNTING));
        return Combinators.combine(bytes(), bytes(), swapLimit, bytes(), bytes(), bytes(), bytes(), bytes())
                .as((limit, usage, swap, swapUsage, cache, a, b, c) ->
                        new MemoryStats(limit, usage, swap, swapUsage, cache, a, b, c, a, b, c, cache, a, b, c, a, b));
    }

    @Property
    void meminfoHasNoNegativeOrWrappedNumber(@ForAll("stats") MemoryStats mem, @ForAll boolean swapEnabled) {
        String text = MeminfoView.render(HOST_SWAP, mem, swapEnabled);
        long total = -1;
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 2) continue;
            long value = Long.parseLong(fields[1]); // a wrapped unsigned number would not even parse
            assertTrue(value >= 0, line);
            assertTrue(fields[1].length() < 19 || line.startsWith("VmallocTotal"), "wrapped? " + line);
            if (fields[0].equals("MemTotal:")) total = value;
            if (fields[0].equals("MemFree:") || fields[0].equals("MemAvailable:") || fields[0].equals("Cached:")) {
                assertTrue(value <= total, line + " above MemTotal " + total);
            }
        }
        assertTrue(total > 0, text);
    }

    @Property
    void uptimeHasNoNegativeNumber(@ForAll double age, @ForAll int cpus, @ForAll double cpuSeconds) {
        String text = UptimeView.render(HOST_UPTIME, OptionalDouble.of(age), cpus, cpuSeconds);
        String[] fields = text.strip().split(" ");
        assertTrue(fields.length == 2, text);
        for (String field : fields) {
            assertTrue(field.matches("\\d+\\.\\d\\d"), "not a plain non-negative decimal: " + text);
        }
    }
}
