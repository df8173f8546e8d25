package io.proclens.cgroup;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** --enable-cfs: how many CPUs a quota is worth, and which of a cpuset's CPUs are shown. */
class CfsCpusTest {
    @Test
    void quotaRoundsUpToWholeCpusAndNeverBelowOne() {
        assertEquals(1, new CpuQuota(50_000, 100_000).wholeCpus());
        assertEquals(1, new CpuQuota(100_000, 100_000).wholeCpus());
        assertEquals(2, new CpuQuota(150_000, 100_000).wholeCpus());
        assertEquals(2, new CpuQuota(200_000, 100_000).wholeCpus());
        assertEquals(1, new CpuQuota(1, 1_000_000).wholeCpus());
        assertEquals(CpuSet.MAX_CPUS, new CpuQuota(Long.MAX_VALUE, 1).wholeCpus());
    }

    @Test
    void lowestTakesTheFirstCpusOfASetWithHoles() {
        CpuSet set = CpuSet.parse("0,2-3,8");
        assertEquals(CpuSet.parse("0"), set.lowest(1));
        assertEquals(CpuSet.parse("0,2"), set.lowest(2));
        assertEquals(CpuSet.parse("0,2-3,8"), set.lowest(9));
        assertEquals(CpuSet.parse(""), set.lowest(0));
    }
}
