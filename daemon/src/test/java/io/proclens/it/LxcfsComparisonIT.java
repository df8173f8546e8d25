package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.proclens.it.ProcFiles.processors;
import static io.proclens.it.ProcFiles.uptime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same reads through LXCFS and through proclens, from the same process in the same cgroup. */
@Tag(CgroupV2VmIT.LAYOUT)
class LxcfsComparisonIT {
    static final long MIB = 1024 * 1024;
    /** Fields both derive from the limits alone: they must be equal. */
    static final List<String> LIMIT_FIELDS = List.of("MemTotal", "SwapTotal");
    /** Fields from usage, which moves between the two reads: equal within a small tolerance. */
    static final List<String> USAGE_FIELDS = List.of("MemFree", "MemAvailable", "Cached", "Active", "Inactive",
            "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Shmem", "SwapFree");
    static final long TOLERANCE_KB = 8 * 1024;

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    @Test
    void aReaderIn256MiBCpuset0SeesWhatLxcfsShowsIt() throws Exception {
        try (Daemon proclens = Daemon.start(temp.resolve("proclens"));
             Lxcfs lxcfs = Lxcfs.start(temp.resolve("lxcfs"));
             TestCgroup cgroup = TestCgroup.create(256 * MIB, "0")) {
            String script = String.join("; echo '#####'; ",
                    "cat " + proclens.file("proc/meminfo"), "cat " + lxcfs.file("proc/meminfo"),
                    "cat " + proclens.file("proc/cpuinfo"), "cat " + lxcfs.file("proc/cpuinfo"),
                    "cat " + proclens.file("sys/devices/system/cpu/online"),
                    "cat " + lxcfs.file("sys/devices/system/cpu/online"),
                    "cat " + lxcfs.file("proc/uptime"), "cat " + proclens.file("proc/uptime"),
                    "cat " + lxcfs.file("proc/uptime"));
            String[] parts = cgroup.run("unshare", "--pid", "--fork", "sh", "-c", "sleep 0.5; " + script)
                    .split("#####\n");
            assertEquals(9, parts.length);
            Map<String, Long> ours = meminfo(parts[0]);
            Map<String, Long> theirs = meminfo(parts[1]);
            System.out.println("field: proclens / lxcfs (kB), reader in 256 MiB, cpuset 0, own pid namespace");
            theirs.forEach((name, kb) -> System.out.println("  " + name + ": " + ours.get(name) + " / " + kb));

            assertEquals(theirs.keySet(), ours.keySet(), "the same lines in the same order");
            assertEquals(262144, ours.get("MemTotal"));
            for (String field : LIMIT_FIELDS) assertEquals(theirs.get(field), ours.get(field), field);
            for (String field : USAGE_FIELDS) {
                assertTrue(Math.abs(theirs.get(field) - ours.get(field)) <= TOLERANCE_KB,
                        field + ": proclens " + ours.get(field) + " kB, lxcfs " + theirs.get(field) + " kB");
            }
            assertEquals(processors(parts[3]), processors(parts[2]), "cpuinfo processors");
            assertEquals(List.of(0), processors(parts[2]));
            assertEquals(parts[5], parts[4], "online");
            System.out.println("  uptime: " + uptime(parts[7])[0] + " / " + uptime(parts[6])[0] + " then "
                    + uptime(parts[8])[0] + "; online: " + parts[4].strip());
            ProcFiles.assertUptimeBetween(parts[6], parts[7], parts[8]);
        }
    }

    static Map<String, Long> meminfo(String text) {
        Map<String, Long> fields = new LinkedHashMap<>();
        for (String line : text.strip().split("\n")) {
            int colon = line.indexOf(':');
            fields.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1).strip().split("\\s+")[0]));
        }
        return fields;
    }
}
