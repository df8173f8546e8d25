package io.proclens.view;

import io.proclens.cgroup.CpuSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeViewsPropertyTest {
    @Property
    void aMaskHasExactlyTheSetsBits(@ForAll @Size(max = 40) List<@IntRange(max = 127) Integer> cpus,
                                    @ForAll @IntRange(min = 1, max = 128) int width) {
        CpuSet set = CpuSet.of(cpus.stream().filter(c -> c < width).mapToInt(Integer::intValue).toArray());
        String mask = NodeViews.mask(set, width).strip();
        assertTrue(mask.matches("[0-9a-f]+(,[0-9a-f]{8})*"), mask);
        java.math.BigInteger bits = new java.math.BigInteger(mask.replace(",", ""), 16);
        for (int cpu = 0; cpu < width; cpu++) assertEquals(set.contains(cpu), bits.testBit(cpu), "bit " + cpu);
        assertEquals((width + 3) / 4, mask.replace(",", "").length(), "as wide as the CPUs need");
    }

    @Property
    void noNodeAmountExceedsTheNodesSize(@ForAll @LongRange(max = 1L << 40) long nodeTotal,
                                         @ForAll @LongRange(max = 1L << 40) long total,
                                         @ForAll @LongRange(max = 1L << 40) long free) {
        String host = "Node 1 MemTotal: " + nodeTotal + " kB\nNode 1 MemFree: 5 kB\nNode 1 MemUsed: 7 kB\n";
        String cgroup = "MemTotal: " + total + " kB\nMemFree: " + free + " kB\n";
        for (String line : NodeViews.meminfo(host, cgroup).split("\n")) {
            long value = Long.parseLong(line.replaceAll(".*: +([0-9]+) kB", "$1"));
            assertTrue(value >= 0 && value <= nodeTotal, line);
        }
    }
}
