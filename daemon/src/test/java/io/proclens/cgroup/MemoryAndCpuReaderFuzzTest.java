package io.proclens.cgroup;

import static io.proclens.Hostile.assertSaneNumbers;
import static io.proclens.Hostile.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.Hostile;
import io.proclens.view.CpuinfoView;
import io.proclens.view.MeminfoView;
import io.proclens.view.CpuListView;
import io.proclens.view.SwapsView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hostile memory, cpuset, cpuacct and cpu files in a cgroup and its ancestors: MemoryAndCpuReader gives sane numbers or
 * a CgroupException naming the cgroup's files, and what it gives renders as well-formed meminfo, swaps, cpuinfo and
 * online files.
 */
class MemoryAndCpuReaderFuzzTest {
    private static final String HOST_MEMINFO = CgroupTree.resource("/view/meminfo-host-swap.txt");
    private static final String HOST_SWAPS = CgroupTree.resource("/view/disk/swaps-host-3.txt");
    private static final String HOST_CPUINFO = CgroupTree.resource("/view/cpuinfo-4cpu.txt");
    private static final String V1_STAT = CgroupTree.resource("/cgroup/hybrid/root/sys/fs/cgroup/memory/memory.stat");
    private static final String V2_STAT = CgroupTree.resource(
            "/cgroup/v2/root/sys/fs/cgroup/system.slice/docker-4f1c2a.scope/memory.stat");
    private static final List<String> BYTES = List.of("536870912\n", "0\n", "9223372036854771712\n");
    private static final List<String> CPUS = List.of("0-3\n", "2\n", "\n", "0,2-3\n");

    @Provide
    Arbitrary<Map<String, Optional<String>>> v1Leaf() {
        return CgroupTree.files(Map.of("memory.usage_in_bytes", BYTES, "memory.stat", List.of(V1_STAT),
                "memory.limit_in_bytes", BYTES, "memory.memsw.usage_in_bytes", BYTES,
                "memory.memsw.limit_in_bytes", BYTES, "cpuset.effective_cpus", CPUS, "cpuset.cpus", CPUS,
                "cpuacct.usage", List.of("123456789\n"), "cpu.cfs_quota_us", List.of("-1\n", "150000\n"),
                "cpu.cfs_period_us", List.of("100000\n")));
    }

    @Provide
    Arbitrary<Map<String, Optional<String>>> v2Leaf() {
        return CgroupTree.files(Map.of("memory.current", BYTES, "memory.stat", List.of(V2_STAT),
                "memory.max", List.of("max\n", "536870912\n"), "memory.swap.current", BYTES,
                "memory.swap.max", List.of("max\n", "1073741824\n"), "cpuset.cpus.effective", CPUS,
                "cpu.stat", List.of("usage_usec 123456789\nuser_usec 100000000\nsystem_usec 23456789\n"),
                "cpu.max", List.of("max 100000\n", "150000 100000\n")));
    }

    @Provide
    Arbitrary<Map<String, Optional<String>>> v1Ancestors() {
        return CgroupTree.files(Map.of("memory.limit_in_bytes", BYTES, "memory.memsw.limit_in_bytes", BYTES,
                "cpuset.cpus", CPUS, "cpu.cfs_quota_us", List.of("-1\n", "50000\n"), "cpu.cfs_period_us",
                List.of("100000\n")));
    }

    @Provide
    Arbitrary<Map<String, Optional<String>>> v2Ancestors() {
        return CgroupTree.files(Map.of("memory.max", List.of("max\n", "536870912\n"),
                "memory.swap.max", List.of("max\n", "0\n"), "cpuset.cpus.effective", CPUS,
                "cpu.max", List.of("max 100000\n", "50000 100000\n")));
    }

    @Property(tries = 100)
    void v1FilesReadSaneOrFailNamingTheCgroup(@ForAll("v1Leaf") Map<String, Optional<String>> leaf,
                                               @ForAll("v1Ancestors") Map<String, Optional<String>> ancestors) {
        try (CgroupTree tree = new CgroupTree(Cgroup.Version.V1, leaf, ancestors)) {
            readAndRender(tree, leaf + " / " + ancestors);
        }
    }

    @Property(tries = 100)
    void v2FilesReadSaneOrFailNamingTheCgroup(@ForAll("v2Leaf") Map<String, Optional<String>> leaf,
                                               @ForAll("v2Ancestors") Map<String, Optional<String>> ancestors) {
        try (CgroupTree tree = new CgroupTree(Cgroup.Version.V2, leaf, ancestors)) {
            readAndRender(tree, leaf + " / " + ancestors);
        }
    }

    private static void readAndRender(CgroupTree tree, String input) {
        MemoryAndCpuReader reader = new MemoryAndCpuReader();
        String named = tree.hierarchy.toString();
        MemoryStats mem = outcome(() -> reader.memory(tree.cgroup), CgroupException.class, named, input);
        if (mem != null) {
            long[] all = {mem.limit(), mem.usage(), mem.swapUsage(), mem.cache(), mem.activeAnon(), mem.inactiveAnon(),
                    mem.activeFile(), mem.inactiveFile(), mem.unevictable(), mem.shmem(), mem.mapped(), mem.anonHuge(),
                    mem.slabReclaimable(), mem.slabUnreclaimable(), mem.dirty(), mem.writeback()};
            for (long n : all) assertTrue(n >= 0, () -> "negative in " + mem);
            assertTrue(mem.swapLimit() >= 0 || mem.swapLimit() == MemoryStats.NO_SWAP_ACCOUNTING, mem::toString);
            for (boolean swap : new boolean[] {true, false}) {
                String meminfo = MeminfoView.render(HOST_MEMINFO, mem, swap);
                assertSaneNumbers(meminfo);
                assertEquals(HOST_MEMINFO.split("\n", -1).length, meminfo.split("\n", -1).length, "line for line");
                for (String line : meminfo.split("\n")) {
                    assertTrue(line.matches("[A-Za-z0-9_()]+: +[0-9]+( kB)?"), () -> "not 'Key: value': " + line);
                }
                String swaps = SwapsView.render(HOST_SWAPS, mem, swap);
                if (!swaps.equals(HOST_SWAPS)) {
                    assertSaneNumbers(swaps);
                    assertTrue(swaps.matches("Filename[^\n]*\n(none {36}virtual\t\t[0-9]+\t\t?[0-9]+\t\t?0\n)?"),
                            () -> Hostile.shown(swaps));
                }
            }
        }
        Optional<CpuSet> cpus = outcome(() -> reader.cpuset(tree.cgroup), CgroupException.class, named, input);
        if (cpus != null && cpus.isPresent()) {
            String online = CpuListView.cpus(cpus.get());
            assertTrue(online.matches("([0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)?\n"), online);
            String cpuinfo = CpuinfoView.render(HOST_CPUINFO, cpus.get());
            long processors = cpuinfo.lines().filter(l -> l.startsWith("processor")).count();
            assertTrue(processors >= 1 && processors <= 4, cpuinfo);
        }
        OptionalLong usage = outcome(() -> reader.cpuUsageNanos(tree.cgroup), CgroupException.class, named, input);
        if (usage != null && usage.isPresent()) assertTrue(usage.getAsLong() >= 0);
        Optional<CpuQuota> quota = outcome(() -> reader.cpuQuota(tree.cgroup), CgroupException.class, named, input);
        if (quota != null && quota.isPresent()) {
            assertTrue(quota.get().wholeCpus() >= 1 && quota.get().wholeCpus() <= CpuSet.MAX_CPUS);
        }
    }
}
