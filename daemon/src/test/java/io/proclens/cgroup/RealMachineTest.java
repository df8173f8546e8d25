package io.proclens.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.proclens.cgroup.Cgroup.Controller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs against this machine's /proc and /sys/fs/cgroup (read only); skipped with a reason where there are none. */
class RealMachineTest {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path SELF_CGROUP = Path.of("/proc/self/cgroup");

    @BeforeEach
    void onLinuxWithProc() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "not Linux: no /proc to read");
        assumeTrue(Files.isReadable(MOUNTINFO) && Files.isReadable(SELF_CGROUP),
                "/proc/self/mountinfo or /proc/self/cgroup is not readable here");
    }

    @Test
    void discoverFindsTheMemoryControllerAndOurMemoryCgroupExists() throws IOException {
        CgroupLayout layout = CgroupLayout.discover();

        assertTrue(layout.hierarchyOf(Controller.MEMORY).isPresent(), "no memory controller in " + layout);
        Cgroup self = layout.cgroupOf(Files.readString(SELF_CGROUP));
        Path dir = self.memory().orElseThrow(() -> new AssertionError("no memory cgroup in " + self)).dir();
        assertTrue(Files.isDirectory(dir), dir + " does not exist");
    }

    @Test
    void readerReadsOurOwnCgroup() throws IOException {
        Cgroup self = CgroupLayout.discover().cgroupOf(Files.readString(SELF_CGROUP));
        MemoryAndCpuReader reader = new MemoryAndCpuReader();

        MemoryStats memory = reader.memory(self);
        assertTrue(memory.usage() > 0, "this JVM uses memory: " + memory);
        assertTrue(memory.limit() > 0, memory.toString());
        reader.cpuset(self).ifPresent(cpus -> assertFalse(cpus.isEmpty(), "an empty cpuset runs nothing"));
        reader.cpuUsageNanos(self).ifPresent(nanos -> assertTrue(nanos > 0, "this JVM has used CPU"));
    }

    @Test
    void weAreOurOwnReaper() throws IOException {
        int pid = (int) ProcessHandle.current().pid();
        Caller caller = new Processes().caller(pid);

        assertEquals(pid, caller.reaperPid());
        assertFalse(caller.ownPidNamespace());
        assertEquals(Files.readString(SELF_CGROUP), caller.cgroupText());
        assertTrue(caller.reaperStartTicks() > 0, "started after boot");
    }
}
