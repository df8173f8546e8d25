package io.proclens.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import io.proclens.cgroup.CgroupLayout.Hierarchy;
import io.proclens.view.PressureView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskStates} and {@link Pressure} on this machine's kernel: a cgroup made for the test (directly below a
 * hierarchy's root) holding a busy loop (state R) and a sleep (state S). Needs root and a writable cgroup
 * hierarchy; skipped with the reason otherwise.
 */
class TaskStatesRealMachineTest {
    private final TaskStates states = new TaskStates();
    private Process busy;
    private Process sleeper;
    private Path made;

    @BeforeEach
    void onLinuxAsRoot() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc here");
        assumeTrue(Files.isWritable(Path.of("/sys/fs/cgroup")) || isRoot(), "not root: cannot make a cgroup");
    }

    private static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).contains("\nUid:\t0\t");
        } catch (IOException e) {
            return false;
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : new Process[]{busy, sleeper}) {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (made != null) {
            for (int i = 0; i < 50 && Files.exists(made); i++) {
                try {
                    Files.delete(made);
                } catch (IOException e) {
                    Thread.sleep(100); // the killed processes leave the cgroup a moment after they are reaped
                }
            }
        }
    }

    /** A new cgroup below the root of the hierarchy of {@code controller} with the two processes in it. */
    private Location cgroupWithBusyAndSleeping(Controller controller) throws Exception {
        Optional<Hierarchy> hierarchy = CgroupLayout.discover().hierarchyOf(controller);
        assumeTrue(hierarchy.isPresent(), "no " + controller + " hierarchy here");
        Path root = hierarchy.get().mountPoint();
        made = root.resolve("proclens-test-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Files.createDirectory(made);
        } catch (IOException e) {
            made = null;
            assumeTrue(false, "cannot make a cgroup in " + root + ": " + e);
        }
        busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        sleeper = new ProcessBuilder("sleep", "600").start();
        Files.writeString(made.resolve("cgroup.procs"), Long.toString(busy.pid()));
        Files.writeString(made.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
        return new Location(hierarchy.get().version(), made, root);
    }

    private void assertBusyAndSleeping(TaskCounts counts) {
        assertEquals(new TaskCounts(1, 0, 2, (int) Math.max(busy.pid(), sleeper.pid())), counts);
    }

    private void waitUntilSleeping() throws Exception {
        // "sleep" is in state S once it has exec'd and called nanosleep; until then it may be R
        Path stat = Path.of("/proc/" + sleeper.pid() + "/stat");
        for (int i = 0; i < 100; i++) {
            String text = Files.readString(stat);
            if (text.substring(text.lastIndexOf(')')).startsWith(") S")) return;
            Thread.sleep(20);
        }
    }

    @Test
    void v1CpuTasks() throws Exception {
        Location at = cgroupWithBusyAndSleeping(Controller.CPU);
        assumeTrue(at.version() == Version.V1, "the cpu controller is on cgroup v2 here");
        waitUntilSleeping();

        assertBusyAndSleeping(states.count(Cgroup.of(Map.of(Controller.CPU, at))));
    }

    @Test
    void unifiedThreadsAndPressure() throws Exception {
        Location at = cgroupWithBusyAndSleeping(Controller.UNIFIED);
        waitUntilSleeping();
        Cgroup cgroup = Cgroup.of(Map.of(Controller.UNIFIED, at));

        assertBusyAndSleeping(states.count(cgroup));

        Pressure pressure = new Pressure();
        if (!Pressure.kernelHasPsi(Path.of("/proc"))) {
            assertEquals(Optional.empty(), pressure.read(cgroup, "cpu"));
            return;
        }
        for (String resource : List.of("cpu", "io", "memory")) {
            String text = pressure.read(cgroup, resource).orElseThrow();
            assertEquals(text, PressureView.render(text), resource + ".pressure is in the kernel's format");
        }
        Path toggle = made.resolve("cgroup.pressure");
        if (Files.exists(toggle)) { // 6.1+: writing 0 turns PSI off for this cgroup and hides its files
            Files.writeString(toggle, "0");
            assertEquals(Optional.empty(), pressure.read(cgroup, "cpu"));
        }
    }

    @Test
    void aRemovedCgroupIsGone() throws Exception {
        Location at = cgroupWithBusyAndSleeping(Controller.UNIFIED);
        busy.destroyForcibly().waitFor();
        sleeper.destroyForcibly().waitFor();
        cleanUp();
        assertTrue(!Files.exists(made), "could not remove " + made);

        CgroupException e = org.junit.jupiter.api.Assertions.assertThrows(CgroupException.class,
                () -> states.count(Cgroup.of(Map.of(Controller.UNIFIED, at))));
        assertEquals(CgroupException.Kind.GONE, e.kind());
    }
}
