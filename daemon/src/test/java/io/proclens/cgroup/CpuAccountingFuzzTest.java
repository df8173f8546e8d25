package io.proclens.cgroup;

import static io.proclens.Hostile.assertSaneNumbers;
import static io.proclens.Hostile.outcome;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.view.StatView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Hostile cpuacct.usage_all, usage_percpu, cpuacct.stat and cpu.stat: CpuTimes or MALFORMED, and a sane /proc/stat. */
class CpuAccountingFuzzTest {
    private static final Path FILE = Path.of("/sys/fs/cgroup/cpuacct/x/cpuacct.usage_all");
    private static final String USAGE_ALL = CgroupTree.resource("/cgroup/stat/v1/cpuacct.usage_all");
    private static final String PER_CPU = CgroupTree.resource("/cgroup/stat/v1/cpuacct.usage_percpu");
    private static final String STAT_V1 = CgroupTree.resource("/cgroup/stat/v1/cpuacct.stat");
    private static final String STAT_V2 = CgroupTree.resource("/cgroup/stat/v2/cpu.stat");
    private static final String HOST_STAT = CgroupTree.resource("/view/stat/host-4cpu.txt");

    @Provide
    Arbitrary<String> usageAll() {
        return io.proclens.Hostile.text(USAGE_ALL, "cpu user system\n", "cpu user system\n0 1 2\n");
    }

    @Provide
    Arbitrary<String> perCpu() {
        return io.proclens.Hostile.text(PER_CPU, "0 0 \n");
    }

    @Provide
    Arbitrary<String> cpuStat() {
        return io.proclens.Hostile.text(STAT_V2, STAT_V1);
    }

    @Provide
    Arbitrary<Map<String, Optional<String>>> v1Files() {
        return CgroupTree.files(Map.of("cpuacct.usage_all", List.of(USAGE_ALL), "cpuacct.usage_percpu",
                List.of(PER_CPU), "cpuacct.stat", List.of(STAT_V1)));
    }

    /** The view of the times on the host's 4 CPUs: "cpu" and cpu0..cpuN lines of ten numbers, nothing negative. */
    private static void assertStatRendersSane(CpuTimes times) {
        for (CpuSet cpus : new CpuSet[] {CpuSet.parse("0-3"), CpuSet.parse("1,3"), CpuSet.parse("")}) {
            String stat = StatView.render(HOST_STAT, cpus, times);
            assertSaneNumbers(stat);
            for (String line : stat.split("\n")) {
                if (line.startsWith("cpu")) assertTrue(line.matches("cpu[0-9]* ( [0-9]+){10}|cpu[0-9]+( [0-9]+){10}"), line);
            }
        }
    }

    @Property
    void usageAllIsPerCpuTimesOrMalformed(@ForAll("usageAll") String text) {
        CpuTimes times = outcome(() -> CpuAccounting.parseUsageAll(text, FILE), CgroupException.class,
                FILE.toString(), text);
        if (times != null) assertStatRendersSane(times);
    }

    @Property
    void usagePerCpuSplitByAnyStatIsPerCpuTimesOrMalformed(@ForAll("perCpu") String text, @ForAll long user,
                                                           @ForAll long system) {
        long[] totals = outcome(() -> CpuAccounting.parsePerCpu(text, FILE), CgroupException.class, FILE.toString(), text);
        if (totals == null) return;
        long u = Math.abs(user % Long.MAX_VALUE);
        long s = Math.abs(system % Long.MAX_VALUE);
        if (u == 0 && s == 0) u = 1;
        long userTicks = u;
        CpuTimes times = outcome(() -> CpuAccounting.split(totals, userTicks, s, FILE), CgroupException.class,
                FILE.toString(), text);
        if (times != null) assertStatRendersSane(times);
    }

    @Property
    void cpuStatIsTotalsOrMalformed(@ForAll("cpuStat") String text) {
        CpuTimes times = outcome(() -> CpuAccounting.parseCpuStat(text, FILE), CgroupException.class, FILE.toString(), text);
        if (times != null) assertStatRendersSane(times);
    }

    @Property(tries = 150)
    void v1FilesReadAsTimesOrFailNamingTheCgroup(@ForAll("v1Files") Map<String, Optional<String>> leaf) {
        try (CgroupTree tree = new CgroupTree(Cgroup.Version.V1, leaf, Map.of())) {
            Optional<CpuTimes> times = outcome(() -> new CpuAccounting().times(tree.cgroup), CgroupException.class,
                    tree.hierarchy.toString(), leaf);
            if (times != null && times.isPresent()) assertStatRendersSane(times.get());
        }
    }
}
