package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `proclens check` on a served mount, a dead one, and a "container" whose bind mount points to the dead one. */
@ExtendWith(ServedMount.class)
class CheckIT {
    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    private static Host.Result check(Path mountpoint) throws Exception {
        return Host.run(Host.proclens("check", "--mountpoint", mountpoint.toString()));
    }

    @Test
    void aServedMountIsReportedHealthy(Daemon daemon) throws Exception {
        Host.Result result = check(daemon.file(""));
        assertTrue(result.output().contains("ok       " + daemon.file("") + " is served"), result.output());
        assertTrue(result.output().contains("answers on its control socket"), result.output());
        assertTrue(result.output().lines().noneMatch(l -> l.startsWith("PROBLEM") && l.contains(daemon.file("").toString())),
                result.output());
    }

    @Test
    void aDeadMountAndAContainerBoundToItAreProblemsWithAFix() throws Exception {
        Path mountpoint = temp.resolve("mnt");
        Process container = null;
        try (Daemon daemon = Daemon.start(mountpoint)) {
            // A stand-in for a container: its own mount namespace with meminfo bound over /proc/meminfo.
            container = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind " + daemon.file("proc/meminfo") + " /proc/meminfo && echo bound && exec sleep 120")
                    .redirectErrorStream(true).start();
            assertEquals("bound", new String(container.getInputStream().readNBytes(6)).strip());
            daemon.kill9();

            Host.Result result = check(mountpoint);
            assertEquals(1, result.status(), result.output());
            assertTrue(result.output().contains("PROBLEM  the mount at " + mountpoint + " is dead"), result.output());
            // unshare execs sh, which execs sleep: one process, the one we started, is the namespace.
            String expected = "PROBLEM  process " + container.pid() + " ";
            assertTrue(result.output().lines().anyMatch(l -> l.startsWith(expected) && l.contains("/proc/meminfo")),
                    result.output());
            assertTrue(result.output().contains("fix: `proclens remount --mountpoint " + mountpoint + "`"), result.output());
        } finally {
            if (container != null) {
                container.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Host.unmountAll(mountpoint);
        }
    }
}
