package io.proclens.render;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.cgroup.CpuAccounting;
import io.proclens.cgroup.IoAccounting;
import io.proclens.cgroup.MemoryAndCpuReader;
import io.proclens.cgroup.Pressure;
import io.proclens.cgroup.Processes;
import io.proclens.cgroup.SlabAccounting;
import io.proclens.cgroup.TaskStates;
import io.proclens.fs.VirtualFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each answer that is the host's file is counted under its reason, and only there. */
class FallbackCountsTest {
    private static final int PID = 4242;

    @TempDir
    Path root;

    @Test
    void eachFallbackIsCountedByItsReason() throws Exception {
        // a v2 cgroup with memory and cpu but no io controller and no PSI files
        write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu memory pids\n");
        write("proc/meminfo", "MemTotal:       16384000 kB\nMemFree:         8192000 kB\n");
        write("proc/diskstats", "   8       0 sda 1 0 2 3 4 0 5 6 0 7 8 0 0 0 0 0 0\n");
        write("proc/pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        write("proc/" + PID + "/stat", "4242 (a) S 1 4242 4242 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 500 "
                + "4628000 300 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0\n");
        write("proc/" + PID + "/cgroup", "0::/c\n");
        write("sys/fs/cgroup/c/memory.current", "536870912\n");
        write("sys/fs/cgroup/c/memory.max", "1073741824\n");
        write("sys/fs/cgroup/c/memory.stat", "anon 1000\nfile 2000\n");
        Files.createDirectories(root.resolve("proc/self/ns"));
        Files.createDirectories(root.resolve("proc/" + PID + "/ns"));
        Files.createSymbolicLink(root.resolve("proc/self/ns/pid"), Path.of("pid:[4026531836]"));
        Files.createSymbolicLink(root.resolve("proc/" + PID + "/ns/pid"), Path.of("pid:[4026531836]"));
        CgroupLayout layout = CgroupLayout.parse("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n", root);
        Sources sources = new Sources(layout, new Processes(root.resolve("proc")), new MemoryAndCpuReader(),
                new CpuAccounting(), new IoAccounting(), new SlabAccounting(), new TaskStates(root.resolve("proc")),
                new Pressure());
        try (CgroupRenderer renderer = new CgroupRenderer(root, sources, Options.DEFAULTS, Duration.ZERO)) {
            renderer.render(VirtualFile.DISKSTATS, PID);
            renderer.render(VirtualFile.PRESSURE_IO, PID);
            renderer.render(VirtualFile.PRESSURE_IO, PID);
            renderer.render(VirtualFile.MEMINFO, 999); // no such process
            renderer.render(VirtualFile.MEMINFO, PID); // the cgroup's own: no fallback

            Map<Fallback, Long> expected = Map.of(Fallback.NO_IO_CONTROLLER, 1L, Fallback.NO_PSI_FILE, 2L,
                    Fallback.CALLER_UNRESOLVABLE, 1L);
            for (Fallback kind : Fallback.values()) {
                assertEquals(expected.getOrDefault(kind, 0L), renderer.fallbacks(kind), kind.label());
            }
            assertEquals(4, renderer.fallbacks());
        }
    }

    private void write(String relative, String text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
