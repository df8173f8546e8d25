package io.proclens.view;

import io.proclens.cgroup.CpuSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CpuListViewTest {
    @Test
    void theCgroupsCpusAreRenumberedFromZero() {
        assertEquals("0-1\n", CpuListView.cpus(CpuSet.of(0, 1)));
        assertEquals("0-3\n", CpuListView.cpus(CpuSet.of(3, 2, 1, 0)));
        assertEquals("0\n", CpuListView.cpus(CpuSet.of(5)), "host CPU 5 alone is the container's CPU 0");
        assertEquals("0-1\n", CpuListView.cpus(CpuSet.of(0, 2)));
        assertEquals("0-6\n", CpuListView.cpus(CpuSet.parse("0,2-3,8-10,12")));
    }

    @Test
    void anEmptySetIsAnEmptyLineAndNothingIsOffline() {
        assertEquals("\n", CpuListView.cpus(CpuSet.parse("")));
        assertEquals("\n", CpuListView.offline());
    }

    @Property
    void theListCountsAsManyCpusAsTheSetHas(@ForAll @Size(max = 64) List<@IntRange(min = 0, max = 511) Integer> cpus) {
        CpuSet set = CpuSet.of(cpus.stream().mapToInt(Integer::intValue).toArray());
        CpuSet shown = CpuSet.parse(CpuListView.cpus(set));
        assertEquals(set.size(), shown.size());
        assertEquals(CpuSet.parse(set.isEmpty() ? "" : "0-" + (set.size() - 1)), shown);
    }
}
