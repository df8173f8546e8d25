package io.proclens.view;

import io.proclens.cgroup.CpuSet;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeViewsTest {
    private static final String HOST_NODE = """
            Node 0 MemTotal:       24683756 kB
            Node 0 MemFree:        23082316 kB
            Node 0 MemUsed:         1601440 kB
            Node 0 Active(anon):         24 kB
            Node 0 FilePages:        580720 kB
            Node 0 KernelStack:        2568 kB
            Node 0 Shmem:              9744 kB
            Node 0 HugePages_Total:     0
            """;

    private static final String CGROUP_MEMINFO = """
            MemTotal:         262144 kB
            MemFree:          200000 kB
            MemAvailable:     230000 kB
            Cached:            30000 kB
            Active(anon):       1000 kB
            Shmem:               512 kB
            """;

    @Test
    void listsAreTheKernelsFormat() {
        assertEquals("0\n", NodeViews.list(CpuSet.of(0)));
        assertEquals("0-1,3\n", NodeViews.list(CpuSet.of(0, 1, 3)));
    }

    @Test
    void masksAreHexadecimalAsWideAsTheCpuCountNeeds() {
        assertEquals("1\n", NodeViews.mask(CpuSet.of(0), 1));
        assertEquals("3\n", NodeViews.mask(CpuSet.of(0, 1), 2));
        assertEquals("0a\n", NodeViews.mask(CpuSet.of(1, 3), 8));
        assertEquals("00000001,00000000\n", NodeViews.mask(CpuSet.of(32), 64));
        assertEquals("0\n", NodeViews.mask(CpuSet.of(), 2));
    }

    @Test
    void aNodesMeminfoIsTheCgroupsInTheNodesFormat() {
        String out = NodeViews.meminfo(HOST_NODE, CGROUP_MEMINFO);
        assertEquals("""
                Node 0 MemTotal:         262144 kB
                Node 0 MemFree:          200000 kB
                Node 0 MemUsed:           62144 kB
                Node 0 Active(anon):       1000 kB
                Node 0 FilePages:         30000 kB
                Node 0 KernelStack:        2568 kB
                Node 0 Shmem:               512 kB
                Node 0 HugePages_Total:     0
                """, out);
    }

    @Test
    void noAmountPassesTheNodesOwnSize() {
        String smallNode = HOST_NODE.replace("24683756", "  100000");
        String out = NodeViews.meminfo(smallNode, CGROUP_MEMINFO);
        assertTrue(out.contains("Node 0 MemTotal:         100000 kB"), out);
        assertTrue(out.contains("Node 0 MemFree:          100000 kB"), out);
    }

    @Test
    void oddLinesPassThrough() {
        String odd = "Node 0 MemTotal: x kB\nsomething\nNode 0 MemFree:  5 kB";
        assertEquals("Node 0 MemTotal: x kB\nsomething\nNode 0 MemFree:  200000 kB", NodeViews.meminfo(odd, CGROUP_MEMINFO)
                .replace("Node 0 MemFree: 200000 kB", "Node 0 MemFree:  200000 kB"));
    }
}
