package io.proclens.view;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VmstatViewTest {
    private static final String HOST = """
            nr_free_pages 5000000
            nr_zone_inactive_anon 1000
            nr_inactive_anon 1000
            nr_active_file 70000
            nr_anon_pages 90000
            nr_mapped 30000
            nr_file_pages 200000
            nr_dirty 12
            nr_shmem 800
            nr_kernel_stack 9000
            nr_anon_transparent_hugepages 7
            nr_dirty_threshold 1200000
            nr_dirty_background_threshold 600000
            pgpgin 8000000
            pgpgout 9000000
            pswpin 10
            pswpout 20
            pgfault 123456789
            pgmajfault 4242
            workingset_refault_file 555
            oom_kill 3
            numa_hit 99999
            """;

    private static final Map<String, Long> CGROUP = Map.of(
            "pgfault", 5000L, "pgmajfault", 7L, "anon", 40L * 4096, "file", 100L * 4096,
            "inactive_anon", 10L * 4096, "active_file", 60L * 4096, "file_mapped", 20L * 4096,
            "file_dirty", 3L * 4096, "shmem", 2L * 4096, "kernel_stack", 65536L);

    private static Map<String, Long> parse(String vmstat) {
        Map<String, Long> values = new java.util.LinkedHashMap<>();
        for (String line : vmstat.split("\n")) {
            String[] f = line.split(" ");
            values.put(f[0], Long.parseLong(f[1]));
        }
        return values;
    }

    @Test
    void theCgroupsCountersAndAmountsReplaceTheHosts() {
        Map<String, Long> out = parse(VmstatView.render(HOST, CGROUP, OptionalLong.of(100L << 20), new long[] {300, 400}));
        assertEquals(5000, out.get("pgfault"));
        assertEquals(7, out.get("pgmajfault"));
        assertEquals(25600, out.get("nr_free_pages"), "100 MiB free in 4 KiB pages");
        assertEquals(40, out.get("nr_anon_pages"));
        assertEquals(100, out.get("nr_file_pages"));
        assertEquals(10, out.get("nr_inactive_anon"));
        assertEquals(60, out.get("nr_active_file"));
        assertEquals(20, out.get("nr_mapped"));
        assertEquals(3, out.get("nr_dirty"));
        assertEquals(2, out.get("nr_shmem"));
        assertEquals(64, out.get("nr_kernel_stack"), "kB, as the kernel prints it");
        assertEquals(300, out.get("pgpgin"));
        assertEquals(400, out.get("pgpgout"));
    }

    @Test
    void whatTheCgroupHasNoNumberForIsZeroNotTheHosts() {
        Map<String, Long> out = parse(VmstatView.render(HOST, CGROUP, OptionalLong.of(0), null));
        for (String name : new String[] {"nr_zone_inactive_anon", "pswpin", "pswpout", "workingset_refault_file",
                "oom_kill", "numa_hit", "pgpgin", "pgpgout", "nr_anon_transparent_hugepages"}) {
            assertEquals(0, out.get(name), name);
        }
    }

    @Test
    void theWritebackPolicyAndAnUnlimitedCgroupsFreePagesAreTheHosts() {
        Map<String, Long> out = parse(VmstatView.render(HOST, CGROUP, OptionalLong.empty(), null));
        assertEquals(1200000, out.get("nr_dirty_threshold"));
        assertEquals(600000, out.get("nr_dirty_background_threshold"));
        assertEquals(5000000, out.get("nr_free_pages"));
    }

    @Test
    void linesInTheHostsOrderAndOddLinesAsTheyAre() {
        String odd = "pgfault 1\nno number here\npgmajfault x\n\nnr_free_pages -5\ntrailing";
        assertEquals("pgfault 5000\nno number here\npgmajfault x\n\nnr_free_pages 0\ntrailing",
                VmstatView.render(odd, CGROUP, OptionalLong.of(-1), null));
        String[] names = VmstatView.render(HOST, CGROUP, OptionalLong.empty(), null).lines()
                .map(l -> l.split(" ")[0]).toArray(String[]::new);
        assertEquals(java.util.List.of(HOST.lines().map(l -> l.split(" ")[0]).toArray()), java.util.List.of((Object[]) names));
    }

    @Property
    void neverANegativeNumberAndEveryLineKept(@ForAll String host, @ForAll long free, @ForAll long pgfault) {
        Map<String, Long> cgroup = Map.of("pgfault", Math.abs(pgfault == Long.MIN_VALUE ? 0 : pgfault));
        String out = VmstatView.render(host, cgroup, OptionalLong.of(free), null);
        assertEquals(host.split("\n", -1).length, out.split("\n", -1).length);
        for (String line : out.split("\n")) {
            String[] f = line.split(" ", 2);
            if (f.length == 2 && !host.contains(line) && f[1].matches("-?[0-9]+")) {
                assertTrue(Long.parseLong(f[1]) >= 0, line);
            }
        }
    }
}
