package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static io.proclens.it.ProcFiles.kb;
import static io.proclens.it.ProcFiles.processors;
import static io.proclens.it.ProcFiles.uptime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon mounted for real, read by processes in real cgroups. */
@ExtendWith(ServedMount.class)
class MountIT {
    static final long MIB = 1024 * 1024;
    /** `ls` of proc/: every file proclens virtualizes, and nothing else. */
    static final String EXPECTED_PROC = (Files.exists(Path.of("/proc/pressure/cpu"))
            ? "cpuinfo\ndiskstats\nloadavg\nmeminfo\npressure\nslabinfo\nstat\nswaps\nuptime\nvmstat\n"
            : "cpuinfo\ndiskstats\nloadavg\nmeminfo\nslabinfo\nstat\nswaps\nuptime\nvmstat\n");

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    @Test
    @Tag(CgroupV2VmIT.LAYOUT)
    void readerInA256MiBCpuset0CgroupSeesItsOwnLimits() throws Exception {
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"));
             TestCgroup cgroup = TestCgroup.create(256 * MIB, "0")) {
            String meminfo = cgroup.run("cat", daemon.file("proc/meminfo").toString());
            assertEquals(262144, kb(meminfo, "MemTotal"), meminfo);
            assertTrue(kb(meminfo, "MemFree") <= 262144, meminfo);
            assertTrue(kb(meminfo, "MemAvailable") <= 262144, meminfo);

            String cpuinfo = cgroup.run("cat", daemon.file("proc/cpuinfo").toString());
            assertEquals(List.of(0), processors(cpuinfo), cpuinfo);

            assertEquals("0\n", cgroup.run("cat", daemon.file("sys/devices/system/cpu/online").toString()));
        }
    }

    @Test
    @Tag(CgroupV2VmIT.LAYOUT)
    void everyProcessOfAFreshPidNamespaceSeesTheNamespacesUptime() throws Exception {
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"));
             TestCgroup cgroup = TestCgroup.create(256 * MIB, "0")) {
            // sh is the namespace's init; cat, its child, must get the namespace's numbers too.
            String inside = cgroup.run("unshare", "--pid", "--fork", "sh", "-c",
                    "sleep 0.3; cat " + daemon.file("proc/uptime") + "; cat " + daemon.file("proc/meminfo"));
            double[] uptime = uptime(inside.lines().findFirst().orElseThrow());
            assertTrue(uptime[0] >= 0.2 && uptime[0] < 5, "namespace uptime " + uptime[0]);
            assertTrue(uptime[1] >= 0 && uptime[1] <= uptime[0] * Runtime.getRuntime().availableProcessors() + 0.01,
                    "idle " + uptime[1] + " for uptime " + uptime[0]);
            assertEquals(262144, kb(inside, "MemTotal"), inside);

            // A caller in the host's pid namespace sees the host's uptime.
            double[] host = uptime(Files.readString(Path.of("/proc/uptime")));
            double[] seen = uptime(cgroup.run("cat", daemon.file("proc/uptime").toString()));
            assertEquals(host[0], seen[0], 2.0);
        }
    }

    @Test
    void treeIsLaidOutLikeLxcfsAndReadOnly(Daemon daemon) throws Exception {
        assertEquals("proc\nsys\n", Host.run("ls", daemon.mountpoint.toString()).output());
        assertEquals(EXPECTED_PROC, Host.run("ls", daemon.file("proc").toString()).output());
        // a page long, as sysfs files say: see NodeAttr.VIRTUAL_FILE_SIZE
        assertEquals("444 regular file 4096\n",
                Host.run("stat", "-c", "%a %F %s", daemon.file("proc/meminfo").toString()).output());
        assertEquals("555 directory\n",
                Host.run("stat", "-c", "%a %F", daemon.file("sys/devices/system/cpu").toString()).output());
        Host.Result write = Host.run("sh", "-c", "echo x > " + daemon.file("proc/meminfo"));
        assertNotEquals(0, write.status());
        assertTrue(write.output().contains("Read-only file system"), write.output());
        assertNotEquals(0, Host.run("touch", daemon.file("proc/new").toString()).status());
        assertFalse(Files.exists(daemon.file("proc/version")), "no file that is not virtualized");
    }

    @Test
    void sigtermUnmountsAndExitsZero() throws Exception {
        Path mountpoint = temp.resolve("mnt");
        try (Daemon daemon = Daemon.start(mountpoint)) {
            assertEquals(0, daemon.terminate(), daemon.output());
            assertFalse(Host.anyMountAt(mountpoint), "still mounted after SIGTERM; the daemon said:\n" + daemon.output()
                    + "\nmountinfo: " + Host.run("grep", mountpoint.toString(), "/proc/self/mountinfo").output());
        }
    }

    @Test
    void deadMountLeftByAKilledDaemonIsClearedAtStart() throws Exception {
        Path mountpoint = temp.resolve("mnt");
        try (Daemon killed = Daemon.start(mountpoint)) {
            killed.kill9();
            Host.Result stale = Host.run("cat", killed.file("proc/meminfo").toString());
            assertTrue(stale.output().contains("Transport endpoint is not connected"), stale.output());
        }
        // close() above unmounted it; make a real stale mount again and leave it in place this time
        Daemon killed = Daemon.start(mountpoint);
        killed.kill9();
        Files.delete(killed.log);
        try (Daemon daemon = Daemon.start(mountpoint)) {
            assertTrue(daemon.output().contains("clearing the dead"), daemon.output());
            assertTrue(kb(Files.readString(daemon.file("proc/meminfo")), "MemTotal") > 0);
        }
    }

    @Test
    void busyMountpointIsAOneLineError() throws Exception {
        Path mountpoint = Files.createDirectory(temp.resolve("busy"));
        assertEquals(0, Host.run("mount", "-t", "tmpfs", "none", mountpoint.toString()).status());
        try (Daemon daemon = Daemon.launch(mountpoint)) {
            assertEquals(1, daemon.awaitExit(30));
            assertOneLineError(daemon.output(), "is busy: tmpfs");
        } finally {
            Host.unmountAll(mountpoint);
        }
    }

    @Test
    void missingMountpointIsCreated() throws Exception {
        Path mountpoint = temp.resolve("a/b/c");
        try (Daemon daemon = Daemon.start(mountpoint)) {
            assertTrue(Files.isRegularFile(daemon.file("proc/meminfo")));
        }
    }

    @Test
    void notRootIsAOneLineError() throws Exception {
        // A copy of the jar that user "nobody" can read, wherever the build put it.
        Path open = Files.createTempDirectory(Path.of("/tmp"), "proclens-nobody-");
        Path jar = Files.copy(Host.daemonJar(), open.resolve("proclens.jar"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Host.Result result;
        try {
            result = Host.run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Host.java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                    "mount", "--foreground", open.resolve("mnt").toString());
        } finally {
            Files.delete(jar);
            Files.delete(open);
        }
        assertEquals(1, result.status());
        assertOneLineError(result.output(), "must run as root");
    }

    @Test
    void missingLibfuseIsAOneLineError() throws Exception {
        Path library = Path.of("/lib/x86_64-linux-gnu/libfuse3.so.3").toRealPath();
        // Hide the library in a mount namespace of its own: the daemon then cannot load it.
        Host.Result result = Host.runWrapped(List.of("unshare", "--mount", "sh", "-c",
                "mount --bind /dev/null " + library + " && exec \"$@\"", "sh"),
                "mount", "--foreground", temp.resolve("mnt").toString());
        assertEquals(1, result.status());
        assertOneLineError(result.output(), "libfuse3 is not installed");
    }

    @ParameterizedTest(name = "daemon options: {0}")
    @ValueSource(strings = {"", "--single-process"})
    void unmountedFromOutsideTheDaemonStopsWithStatusZero(String option) throws Exception {
        Path mountpoint = temp.resolve("mnt");
        try (Daemon daemon = Daemon.start(mountpoint, options(option))) {
            Host.Result umount = Host.run("umount", mountpoint.toString());
            assertEquals(0, umount.status(), umount.output());
            assertEquals(0, daemon.awaitExit(20), "exit status after umount:\n" + daemon.output());
            assertFalse(Files.exists(io.proclens.mounts.RunFiles.controlSocket(mountpoint)),
                    "the control socket of a daemon that has exited is left");
            assertTrue(daemon.workersServed() <= 1, "no worker may be started for a mount that is gone:\n"
                    + daemon.output());
        }
    }

    @ParameterizedTest(name = "daemon options: {0}")
    @ValueSource(strings = {"", "--single-process"})
    void anAbortedConnectionIsClearedAndTheDaemonExitsOne(String option) throws Exception {
        Path mountpoint = temp.resolve("mnt");
        Path connections = Path.of("/sys/fs/fuse/connections");
        boolean mountedFusectl = false;
        try (Daemon daemon = Daemon.start(mountpoint, options(option))) {
            if (!Host.isMounted(connections, "fusectl")) { // systemd mounts it; a bare machine may not have
                Host.Result mount = Host.run("mount", "-t", "fusectl", "fusectl", connections.toString());
                assertEquals(0, mount.status(), mount.output());
                mountedFusectl = true;
            }
            Files.writeString(connections.resolve(Long.toString(connectionId(mountpoint))).resolve("abort"), "1");
            assertEquals(1, daemon.awaitExit(20), "exit status after the abort:\n" + daemon.output());
            assertFalse(Files.exists(io.proclens.mounts.RunFiles.controlSocket(mountpoint)),
                    "the control socket of a daemon that has exited is left");
            assertTrue(daemon.output().contains("the kernel aborted the FUSE connection of " + mountpoint),
                    daemon.output());
            assertTrue(daemon.workersServed() <= 1, daemon.output());
            assertTrue(!Host.anyMountAt(mountpoint), "the dead mount was left at " + mountpoint);
        } finally {
            if (mountedFusectl) Host.run("umount", connections.toString());
        }
    }

    private static String[] options(String option) {
        return option.isEmpty() ? new String[0] : new String[]{option};
    }

    /** The FUSE connection's number: the minor device number of the mount, in mountinfo's third field. */
    private static long connectionId(Path mountpoint) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields[4].equals(mountpoint.toString())) return Long.parseLong(fields[2].split(":")[1]);
        }
        throw new AssertionError(mountpoint + " is not mounted");
    }

    @Test
    void missingDevFuseIsAOneLineError() throws Exception {
        // A /dev of its own in a mount namespace of its own: what the JVM needs, but no fuse.
        Path dev = Files.createDirectory(temp.resolve("dev"));
        Host.Result result = Host.runWrapped(List.of("unshare", "--mount", "sh", "-c",
                "mount -t tmpfs none \"$0\" && for d in null zero random urandom; do touch \"$0/$d\" &&"
                        + " mount --bind /dev/$d \"$0/$d\"; done && mount --move \"$0\" /dev && exec \"$@\"",
                dev.toString()), "mount", "--foreground", temp.resolve("mnt").toString());
        assertEquals(1, result.status());
        assertOneLineError(result.output(), "/dev/fuse is missing");
    }

    private static void assertOneLineError(String output, String expected) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "expected one line, got:\n" + output);
        assertTrue(lines.getFirst().startsWith("proclens: ") && lines.getFirst().contains(expected), output);
    }
}
