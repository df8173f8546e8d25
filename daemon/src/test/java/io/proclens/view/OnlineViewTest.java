package io.proclens.view;

import io.proclens.cgroup.CpuSet;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OnlineViewTest {

    @Test
    void consecutiveCpusAreARange() {
        assertEquals("0-1\n", OnlineView.render(CpuSet.of(0, 1)));
        assertEquals("0-3\n", OnlineView.render(CpuSet.of(3, 2, 1, 0)));
    }

    @Test
    void singleCpusAndMixedLists() {
        assertEquals("0\n", OnlineView.render(CpuSet.of(0)));
        assertEquals("5\n", OnlineView.render(CpuSet.of(5)));
        assertEquals("0,2\n", OnlineView.render(CpuSet.of(0, 2)));
        assertEquals("0,2-3,8-10,12\n", OnlineView.render(CpuSet.parse("0,2-3,8-10,12")));
    }

    @Test
    void emptySetIsAnEmptyLine() {
        assertEquals("\n", OnlineView.render(CpuSet.parse("")));
    }
}
