package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `proclens options` changes a live daemon's options: a reader in a cgroup with half a CPU of quota sees every
 * CPU, then, after `--enable-cfs true`, one. The change outlives its worker (kill -9, upgrade), and a new daemon
 * on the same mountpoint starts from its own command line again.
 */
class RuntimeOptionsIT {
    static final long MIB = 1024 * 1024;
    static final String DEFAULTS = "enable-cfs=false enable-loadavg=false disable-swap=false";
    static final String CFS = "enable-cfs=true enable-loadavg=false disable-swap=false";

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    @ParameterizedTest(name = "daemon options: {0}")
    @ValueSource(strings = {"", "--standby"}) // a standby worker starts long before it serves
    void aChangeAtRunTimeHoldsForTheMountsLaterWorkersOnly(String daemonOption) throws Exception {
        String[] daemonOptions = daemonOption.isEmpty() ? new String[0] : new String[]{daemonOption};
        String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).strip();
        int hostCpus = processors(Files.readString(Path.of("/proc/cpuinfo")));
        org.junit.jupiter.api.Assumptions.assumeTrue(hostCpus >= 2,
                "one CPU: a quota of half a CPU would show as many CPUs as no quota");
        Path mountpoint = temp.resolve("mnt");
        try (TestCgroup cgroup = TestCgroup.create(256 * MIB, online, 50_000)) {
            try (Daemon daemon = Daemon.start(mountpoint, daemonOptions)) {
                assertEquals(DEFAULTS, options(mountpoint));
                assertEquals(hostCpus, processors(cgroup, daemon), "no --enable-cfs: every CPU of the cpuset");

                assertEquals(CFS, options(mountpoint, "--enable-cfs", "true"));
                Thread.sleep(300); // the rendered file and the caller are cached for 100 ms
                assertEquals(1, processors(cgroup, daemon), "--enable-cfs at run time: half a CPU shows as one");

                int served = daemon.workersServed();
                Host.run("kill", "-KILL", Long.toString(daemon.workerPid()));
                daemon.awaitWorkersServed(served + 1);
                assertEquals(CFS, options(mountpoint), "after the worker was killed:\n" + daemon.output());
                assertEquals(1, processors(cgroup, daemon));

                Host.Result upgrade = Host.run(Host.proclens("upgrade", mountpoint.toString()));
                assertEquals(0, upgrade.status(), upgrade.output() + daemon.output());
                assertEquals(CFS, options(mountpoint), "after an upgrade:\n" + daemon.output());
                assertEquals(1, processors(cgroup, daemon));
                assertTrue(daemon.output().contains("options as changed at run time for an earlier worker: " + CFS),
                        daemon.output());

                assertEquals(DEFAULTS, options(mountpoint, "--enable-cfs", "false"));
                Thread.sleep(300);
                assertEquals(hostCpus, processors(cgroup, daemon), "--enable-cfs turned off again");
                assertEquals(CFS, options(mountpoint, "--enable-cfs", "true"));
                assertEquals(0, daemon.terminate(), daemon.output());
            }
            try (Daemon again = Daemon.start(mountpoint, daemonOptions)) {
                assertEquals(DEFAULTS, options(mountpoint), "a new daemon keeps no change made for an earlier one");
                assertEquals(hostCpus, processors(cgroup, again));
            }
        }
    }

    @Test
    void aBadChangeIsRefusedAndChangesNothing() throws Exception {
        Path mountpoint = temp.resolve("mnt");
        try (Daemon daemon = Daemon.start(mountpoint)) {
            Host.Result bad = Host.run(Host.proclens("options", "--mountpoint", mountpoint.toString(),
                    "--enable-cfs", "yes"));
            assertEquals(2, bad.status(), bad.output()); // picocli's status for a bad argument, with the usage
            assertTrue(bad.output().startsWith("Invalid value for option '--enable-cfs': 'yes' is not a boolean"),
                    bad.output());
            assertEquals(DEFAULTS, options(mountpoint));
        }
    }

    private static String options(Path mountpoint, String... changes) throws Exception {
        java.util.List<String> command = Host.proclens("options", "--mountpoint", mountpoint.toString());
        command.addAll(java.util.List.of(changes));
        Host.Result result = Host.run(command);
        assertEquals(0, result.status(), result.output());
        return result.output().strip();
    }

    private static int processors(TestCgroup cgroup, Daemon daemon) throws Exception {
        return processors(cgroup.run("cat", daemon.file("proc/cpuinfo").toString()));
    }

    private static int processors(String cpuinfo) {
        return (int) cpuinfo.lines().filter(line -> line.startsWith("processor")).count();
    }
}
