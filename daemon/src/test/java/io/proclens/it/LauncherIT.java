package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The scripts a user types: the launcher and the install step. */
class LauncherIT {
    private Path scripts;

    @BeforeEach
    void findScripts() {
        scripts = Path.of(System.getProperty("proclens.root", "..")).resolve("scripts").toAbsolutePath().normalize();
        assumeTrue(Files.isExecutable(scripts.resolve("proclens")), "no scripts/proclens at " + scripts);
        Host.daemonJar();
    }

    @Test
    void withoutAJdkTheLauncherSaysWhatToInstallInOneLine() throws Exception {
        assumeTrue(Host.isRoot(), "needs root to hide /usr/lib/jvm in a mount namespace");
        // No JDK anywhere the launcher looks: /usr/lib/jvm hidden under an empty tmpfs, JAVA_HOME unset.
        Host.Result result = Host.run("env", "-u", "JAVA_HOME", "unshare", "--mount", "sh", "-c",
                "mount -t tmpfs none /usr/lib/jvm && exec " + scripts.resolve("proclens") + " --help");
        assertEquals(1, result.status(), result.output());
        assertEquals(1, result.output().lines().count(), result.output());
        assertTrue(result.output().startsWith("proclens: no JDK 22 or newer"), result.output());
    }

    @Test
    void installPutsAWorkingCommandIntoACleanTree(@TempDir Path prefix) throws Exception {
        Host.Result install = Host.run(scripts.resolve("install.sh").toString(), "--prefix", prefix.toString());
        assertEquals(0, install.status(), install.output());
        Path command = prefix.resolve("bin/proclens");
        assertTrue(Files.isSymbolicLink(command));
        Host.Result version = Host.run(command.toString(), "version");
        assertEquals(0, version.status(), version.output());
        assertTrue(version.output().startsWith("proclens "), version.output());
        assertTrue(version.output().contains("libfuse 3."), version.output());
        Host.Result help = Host.run(command.toString(), "mount", "--help");
        assertTrue(help.output().contains("--threads"), help.output());
        assertTrue(Files.isExecutable(prefix.resolve("lib/proclens/proclens-runc")), "the runtime for sysinfo(2)");
    }

    /**
     * The installed proclens-runc, with echo as its runc: it passes every argument through unchanged, and on create
     * hands the bundle's sysinfo to a socket that answers, and to none that does not.
     */
    @Test
    void proclensRuncEditsTheBundleOnCreateOnlyAndIsRuncOtherwise(@TempDir Path prefix, @TempDir Path dir)
            throws Exception {
        Host.Result install = Host.run(scripts.resolve("install.sh").toString(), "--prefix", prefix.toString());
        assertEquals(0, install.status(), install.output());
        String runc = prefix.resolve("lib/proclens/proclens-runc").toString();
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        String config = "{\"process\":{\"args\":[\"sh\"]},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                + "\"syscalls\":[{\"names\":[\"read\",\"sysinfo\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}";
        Files.writeString(bundle.resolve("config.json"), config);
        Path socket = dir.resolve("s.sock");
        List<String> env = List.of("env", "PROCLENS_SECCOMP_SOCKET=" + socket, "PROCLENS_RUNC=/bin/echo");

        List<String> state = new java.util.ArrayList<>(env);
        state.addAll(List.of(runc, "--root", "/run/r", "state", "create"));
        Host.Result passed = Host.run(state);
        assertEquals("--root /run/r state create", passed.output().strip(), "not a create: runc as it is");

        List<String> create = new java.util.ArrayList<>(env);
        create.addAll(List.of(runc, "--root", "/run/r", "--log", "/l.json", "--log-format", "json", "create",
                "--bundle", bundle.toString(), "--pid-file", "/p", "id1"));
        Host.Result nobody = Host.run(create);
        assertTrue(nobody.output().contains("nothing answers at " + socket), nobody.output());
        assertEquals(config, Files.readString(bundle.resolve("config.json")), "no daemon: the container as it was");

        try (io.proclens.sys.FdChannel.Listener ignored = io.proclens.sys.FdChannel.Listener.bindStream(socket)) {
            Host.Result edited = Host.run(create);
            assertEquals(0, edited.status(), edited.output());
            assertTrue(edited.output().strip().endsWith("--root /run/r --log /l.json --log-format json create --bundle "
                    + bundle + " --pid-file /p id1"), edited.output());
        }
        String now = Files.readString(bundle.resolve("config.json"));
        assertTrue(now.contains("\"listenerPath\":\"" + socket + "\""), now);
        assertTrue(now.contains("{\"names\":[\"sysinfo\"],\"action\":\"SCMP_ACT_NOTIFY\"}"), now);
        assertTrue(now.contains("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}"), now);
    }

    @Test
    void theInstalledSystemdUnitPassesSystemdAnalyzeVerify(@TempDir Path prefix) throws Exception {
        assumeTrue(Host.hasCommand("systemd-analyze"), "systemd-analyze is not installed (apt-get install systemd)");
        Host.Result install = Host.run(scripts.resolve("install.sh").toString(), "--prefix", prefix.toString());
        assertEquals(0, install.status(), install.output());
        Path unit = prefix.resolve("lib/systemd/system/proclens.service");
        String text = Files.readString(unit);
        assertTrue(text.contains("ExecStart=" + prefix.resolve("bin/proclens") + " mount --foreground"), text);
        assertTrue(text.contains("Restart=always"), text);
        // Checks syntax, directives and that ExecStart's command exists; needs no running systemd.
        Host.Result verify = Host.run("systemd-analyze", "verify", unit.toString());
        assertEquals(0, verify.status(), verify.output());
        assertTrue(verify.output().lines().noneMatch(l -> l.contains("proclens.service")), verify.output());
    }

    @Test
    void withoutForegroundTheDaemonDetachesWritesItsPidFileAndLogsWithTimes(@TempDir Path dir) throws Exception {
        assumeTrue(Host.isRoot(), "needs root to mount");
        Path mountpoint = dir.resolve("mnt");
        Path pidFile = dir.resolve("run/proclens.pid");
        Path log = dir.resolve("log/proclens.log");
        try {
            Host.Result start = Host.run(scripts.resolve("proclens").toString(), "mount", "--pid-file", pidFile.toString(),
                    "--log", log.toString(), mountpoint.toString());
            assertEquals(0, start.status(), start.output());
            assertTrue(start.output().startsWith("proclens: serving " + mountpoint), start.output());
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " is not running");
            assertTrue(Host.isMounted(mountpoint, "fuse.proclens"));
            assertTrue(Files.readString(mountpoint.resolve("proc/meminfo")).startsWith("MemTotal:"));
            // The holder's line comes first, then its worker's "serving"; both stamped
            List<String> lines = Files.readAllLines(log);
            assertTrue(lines.stream().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ proclens: .*")), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains(" proclens: info: serving ")), lines.toString());

            Host.run("kill", "-TERM", Long.toString(pid));
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            assertTrue(!Files.exists(pidFile), "the pid file is removed at exit");
            assertTrue(!Host.isMounted(mountpoint, "fuse.proclens"));
        } finally {
            if (Files.exists(pidFile)) Host.run("kill", "-KILL", Files.readString(pidFile).strip());
            Host.unmountAll(mountpoint);
        }
    }

    @Test
    void aCrashedWorkerLeavesItsReportBesideTheLogTheHolderNamesItAndReadsGoOn(@TempDir Path dir) throws Exception {
        assumeTrue(Host.isRoot(), "needs root to mount");
        Path mountpoint = dir.resolve("mnt");
        Path pidFile = dir.resolve("run/proclens.pid");
        Path log = dir.resolve("log/proclens.log");
        try {
            Host.Result start = Host.run(scripts.resolve("proclens").toString(), "mount", "--pid-file", pidFile.toString(),
                    "--log", log.toString(), mountpoint.toString());
            assertEquals(0, start.status(), start.output());
            for (int i = 0; i < 600 && !Files.readString(log).contains("(worker 1,"); i++) Thread.sleep(50);
            String worker = Host.run("pgrep", "-f", "proclens.jar serve .*" + mountpoint).output().strip();
            assertTrue(worker.matches("\\d+"), "one worker: " + worker);
            // A SIGSEGV from outside goes through the JVM's fatal error handler as one in its own code would.
            Host.run("kill", "-SEGV", worker);
            Path report = log.resolveSibling("proclens-crash-" + worker + ".log");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!(Files.readString(log).contains("worker 2,") && Files.exists(report))) {
                assertTrue(System.nanoTime() < deadline, "no new worker or no report: " + Files.readString(log));
                Thread.sleep(50);
            }
            assertTrue(Files.readString(report).contains("SIGSEGV"), report.toString());
            String logged = Files.readString(log);
            assertTrue(logged.contains("worker 1 (pid " + worker + ") crashed; its JVM's crash report: " + report),
                    logged);
            assertTrue(logged.contains("was killed by SIGABRT (6): its JVM crashed"), logged);
            assertTrue(Files.readString(mountpoint.resolve("proc/meminfo")).startsWith("MemTotal:"));
        } finally {
            if (Files.exists(pidFile)) Host.run("kill", "-TERM", Files.readString(pidFile).strip());
            for (int i = 0; i < 100 && Host.isMounted(mountpoint, "fuse.proclens"); i++) Thread.sleep(50);
            Host.unmountAll(mountpoint);
        }
    }
}
