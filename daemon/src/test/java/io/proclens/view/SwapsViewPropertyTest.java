package io.proclens.view;

import static io.proclens.view.DiskstatsViewPropertyTest.assertNoNegativeOrWrappedNumber;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cgroup.MemoryStats;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

class SwapsViewPropertyTest {

    @Property
    void noLineWePrintHasANegativeOrWrappedNumber(@ForAll("hosts") String host, @ForAll("mems") MemoryStats mem,
                                                  @ForAll boolean swapEnabled) {
        // The host's own lines (negative priorities are the kernel's) are passed through; ours are checked.
        Set<String> hostLines = new java.util.HashSet<>(List.of(host.split("\n"))); // a host may repeat a line
        for (String line : SwapsView.render(host, mem, swapEnabled).split("\n")) {
            if (!hostLines.contains(line)) assertNoNegativeOrWrappedNumber(line);
        }
    }

    @Property
    void usedIsAtMostSizeWhichIsAtMostTheHostsTotal(@ForAll("hosts") String host, @ForAll("mems") MemoryStats mem,
                                                    @ForAll boolean swapEnabled) {
        String out = SwapsView.render(host, mem, swapEnabled);
        if (out.equals(host)) return; // no swap accounting: the host's file
        String[] lines = out.split("\n");
        assertTrue(lines.length <= 2, out);
        if (lines.length < 2) return;
        String[] f = lines[1].split("\\s+");
        assertEquals(List.of("none", "virtual"), List.of(f[0], f[1]), lines[1]);
        long size = Long.parseLong(f[2]);
        long used = Long.parseLong(f[3]);
        assertTrue(swapEnabled, "a device although swap is disabled");
        assertTrue(0 < size && size <= hostTotal(host), "size " + size + " of host " + host);
        assertTrue(0 <= used && used <= size, "used " + used + " of size " + size);
        assertEquals("0", f[4]);
    }

    /** The sum of the plain sizes of the host's device lines, at most Long.MAX_VALUE, written independently. */
    private static long hostTotal(String host) {
        BigInteger sum = BigInteger.ZERO;
        for (String line : host.split("\n")) {
            if (line.startsWith("Filename")) continue;
            String[] f = line.strip().split("\\s+");
            if (f.length < 5 || !f[f.length - 3].matches("\\d+")) continue;
            BigInteger size = new BigInteger(f[f.length - 3]);
            if (size.bitLength() < 64) sum = sum.add(size);
        }
        return sum.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
    }

    // ---------------------------------------------------------------- generators

    private static Arbitrary<Long> anyLong() {
        return Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.longs().between(0, 64L << 30),
                Arbitraries.of(0L, 1L, 1023L, 1024L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1));
    }

    private static Arbitrary<String> size() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 100_000_000).map(String::valueOf)),
                Tuple.of(2, Arbitraries.longs().between(0, Long.MAX_VALUE).map(String::valueOf)),
                Tuple.of(1, Arbitraries.of("18446744073709551615", "-4", "x", "9223372036854775807")));
    }

    private static Arbitrary<String> deviceLine() {
        return Combinators.combine(Arbitraries.of("/dev/vda2", "/swapfile", "/var/a\\040b"),
                        Arbitraries.of("partition", "file\t"), size(), size(), Arbitraries.integers().between(-10, 10))
                .as((path, type, size, used, prio) -> path + " ".repeat(Math.max(1, 40 - path.length())) + type + "\t"
                        + size + "\t\t" + used + "\t\t" + prio);
    }

    @Provide
    Arbitrary<String> hosts() {
        Arbitrary<String> header = Arbitraries.of(SwapsView.KERNEL_HEADER + "\n",
                "Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n", "");
        Arbitrary<String> line = Arbitraries.frequencyOf(
                Tuple.of(8, deviceLine()),
                Tuple.of(1, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30)));
        return Combinators.combine(header, line.list().ofMaxSize(4))
                .as((h, lines) -> h + String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"));
    }

    @Provide
    Arbitrary<MemoryStats> mems() {
        Arbitrary<Long> swapLimit = Arbitraries.oneOf(anyLong(),
                Arbitraries.of(MemoryStats.UNLIMITED, MemoryStats.NO_SWAP_ACCOUNTING));
        return Combinators.combine(swapLimit, anyLong())
                .as((limit, usage) -> new MemoryStats(1L << 30, 1L << 29, limit, usage,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }
}
