package io.proclens.view;

import io.proclens.cgroup.CpuSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OnlineViewPropertyTest {
    @Property
    void printedListParsesBackToTheSameSet(@ForAll @Size(max = 64) List<@IntRange(min = 0, max = 511) Integer> cpus) {
        CpuSet set = CpuSet.of(cpus.stream().mapToInt(Integer::intValue).toArray());
        String text = OnlineView.render(set);
        assertEquals(set, CpuSet.parse(text));
    }
}
