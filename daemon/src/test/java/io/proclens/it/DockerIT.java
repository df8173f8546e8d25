package io.proclens.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.proclens.it.ProcFiles.kb;
import static io.proclens.it.ProcFiles.processors;
import static io.proclens.it.ProcFiles.uptime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real containers of a real Docker engine (started by the test, see {@link DockerEngine}) with proclens' files bound
 * by the flags {@code proclens docker-flags} prints, as the README tells users to run them.
 */
@ExtendWith(ServedMount.class)
class DockerIT {
    static final String SEPARATOR = "=====";
    /** Reads a file with busybox cat, which copies with sendfile(2) (see {@link SendfileReadersIT}). */
    static final String READ = "rd() { cat \"$1\"; }; ";
    static DockerEngine engine;

    @TempDir
    Path temp;

    @BeforeAll
    static void startDocker() throws Exception {
        engine = DockerEngine.start();
    }

    @AfterAll
    static void stopDocker() throws Exception {
        if (engine != null) engine.close();
    }

    @Test
    void aContainerSeesItsLimitsThroughCatAndProcps(Daemon daemon) throws Exception {
        String[] parts = run(daemon, List.of("-m", "256m", "--cpus", "0.5", "--cpuset-cpus", "0"),
                "rd /proc/meminfo", "/usr/bin/free -k", "rd /proc/cpuinfo", "rd /sys/devices/system/cpu/online",
                "rd /proc/uptime", "rd /proc/stat", "/usr/bin/uptime", "/usr/bin/top -b -n 1", "nproc");
        assertEquals(262144, kb(parts[0], "MemTotal"), parts[0]);
        assertEquals("262144", freeTotal(parts[1]), "procps free, total of the Mem: line:\n" + parts[1]);
        assertEquals(List.of(0), processors(parts[2]), parts[2]);
        assertEquals("0\n", parts[3]);
        double up = uptime(parts[4])[0];
        assertTrue(up >= 0 && up < 30, "the container started a moment ago, its uptime is " + up);
        List<String> cpuLines = parts[5].lines().filter(l -> l.startsWith("cpu")).toList();
        assertEquals(2, cpuLines.size(), "the cpu line and cpu0:\n" + parts[5]);
        assertTrue(parts[6].contains(" up "), "procps uptime: " + parts[6]);
        assertTrue(parts[7].contains("256.0 total"), "procps top's memory line:\n" + parts[7]);
        assertEquals("1\n", parts[8], "nproc (sched_getaffinity: the cpuset, not us)");
    }

    @Test
    void dockerExecIntoTheContainerSeesTheSame(Daemon daemon) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--network", "none", "-m", "256m", "--cpuset-cpus", "0"));
        args.addAll(flags(daemon));
        args.addAll(List.of(engine.image, "sleep", "300"));
        Host.Result started = engine.docker(args);
        assertEquals(0, started.status(), started.output());
        String id = started.output().strip();
        Host.Result exec = engine.docker("exec", id, "sh", "-c", READ + "rd /proc/meminfo; rd /proc/cpuinfo");
        assertEquals(0, exec.status(), exec.output());
        assertEquals(262144, kb(exec.output(), "MemTotal"), exec.output());
        assertEquals(List.of(0), processors(exec.output()));
        engine.docker("rm", "-f", id);
    }

    @Test
    void twoContainersReadAtOnceEachSeeTheirOwnLimit(Daemon daemon) throws Exception {
        String loop = "i=0; while [ $i -lt 200 ]; do grep MemTotal /proc/meminfo; i=$((i+1)); done";
        CompletableFuture<String[]> small = CompletableFuture.supplyAsync(() -> runUnchecked(daemon, List.of("-m", "256m"), loop));
        CompletableFuture<String[]> large = CompletableFuture.supplyAsync(() -> runUnchecked(daemon, List.of("-m", "512m"), loop));
        List<String> smallReads = small.get()[0].lines().toList();
        List<String> largeReads = large.get()[0].lines().toList();
        assertEquals(200, smallReads.size());
        assertEquals(200, largeReads.size());
        for (String line : smallReads) assertEquals(262144, kb(line, "MemTotal"), "the 256 MiB container read: " + line);
        for (String line : largeReads) assertEquals(524288, kb(line, "MemTotal"), "the 512 MiB container read: " + line);
    }

    @Test
    void enableCfsRoundsTheQuotaUpToWholeCpus() throws Exception {
        int cpus = processors(java.nio.file.Files.readString(Path.of("/proc/cpuinfo"))).size();
        Assumptions.assumeTrue(cpus >= 2, "needs two CPUs to tell 1.5 CPUs from one; this machine has " + cpus);
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), "--enable-cfs")) {
            String[] oneAndAHalf = run(daemon, List.of("--cpus", "1.5"), "rd /proc/cpuinfo", "rd /sys/devices/system/cpu/online");
            assertEquals(List.of(0, 1), processors(oneAndAHalf[0]), oneAndAHalf[0]);
            assertEquals("0-1\n", oneAndAHalf[1]);
            String[] half = run(daemon, List.of("--cpus", "0.5"), "rd /proc/cpuinfo", "rd /sys/devices/system/cpu/online");
            assertEquals(List.of(0), processors(half[0]), half[0]);
            assertEquals("0\n", half[1]);
        }
    }

    @Test
    void withoutADaemonDockerRefusesTheFlagsInsteadOfStartingAnUnvirtualizedContainer() throws Exception {
        Path mountpoint = temp.resolve("not-served");
        java.nio.file.Files.createDirectories(mountpoint);
        Host.Result flags = Host.run(Host.proclens("docker-flags", "--mountpoint", mountpoint.toString()));
        assertEquals(1, flags.status(), flags.output());
        assertTrue(flags.output().contains("is not served"), flags.output());
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none"));
        args.addAll(flagWords(flags.output().lines().filter(l -> l.startsWith("--mount")).findFirst().orElseThrow()));
        args.addAll(List.of(engine.image, "head", "/proc/meminfo"));
        Host.Result run = engine.docker(args);
        assertNotEquals(0, run.status(), "docker must refuse a missing bind source:\n" + run.output());
        assertTrue(run.output().contains("does not exist"), run.output());
    }

    @Test
    void runcRefusesBindsOverVmstatAndThePressureFilesSoDockerFlagsLeavesThemOut() throws Exception {
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"))) {
            List<String> files = new ArrayList<>(List.of("proc/vmstat"));
            if (java.nio.file.Files.exists(daemon.file("proc/pressure/memory"))) files.add("proc/pressure/memory");
            for (String file : files) {
                assertFalse(flags(daemon).stream().anyMatch(f -> f.contains("/" + file + ",")), "not bound by default");
                List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--mount",
                        "type=bind,source=" + daemon.file(file) + ",target=/" + file + ",readonly", engine.image,
                        "head", "-n1", "/" + file));
                Host.Result run = engine.docker(args);
                // what --vmstat and --pressure say: runc (Debian 12's) refuses them; if it takes them, they are wrong
                assertNotEquals(0, run.status(), "runc took a bind over /" + file + ":\n" + run.output());
                assertTrue(run.output().contains("/" + file), run.output());
            }
        }
    }

    /** `docker run --rm` of the commands in one container; their outputs, split at the separator. */
    @Test
    void aUserNamespaceRemappedContainerSeesItsOwnViewAndNoMore() throws Exception {
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"));
             DockerEngine remapped = DockerEngine.startRemapped()) {
            List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none", "-m", "256m", "--cpuset-cpus", "0"));
            args.addAll(flags(daemon));
            args.addAll(List.of(remapped.image, "sh", "-c", READ + String.join("; echo " + SEPARATOR + "; ",
                    "cat /proc/self/uid_map", "rd /proc/meminfo", "rd /proc/cpuinfo",
                    "rd /proc/slabinfo 2>&1", "(echo x > /proc/meminfo) 2>&1; echo written $?")));
            Host.Result result = remapped.docker(args);
            assertEquals(0, result.status(), result.output() + "\n" + remapped.log());
            String[] parts = result.output().split(SEPARATOR + "\n", -1);
            String[] map = parts[0].trim().split("\\s+");
            assertEquals("0", map[0], parts[0]);
            assertNotEquals("0", map[1], "the container's root must be another uid on the host: " + parts[0]);
            assertEquals(262144, kb(parts[1], "MemTotal"), parts[1]);
            assertEquals(List.of(0), processors(parts[2]), parts[2]);
            // root's only on the host, so not for a remapped root; nothing written
            assertTrue(parts[3].contains("Permission denied"), parts[3]);
            assertTrue(parts[4].contains("Read-only file system") && !parts[4].contains("written 0"), parts[4]);
        }
    }

    private static String[] run(Daemon daemon, List<String> dockerOptions, String... commands) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none", "-e", "TERM=dumb"));
        args.addAll(dockerOptions);
        args.addAll(flags(daemon));
        args.addAll(List.of(engine.image, "sh", "-c", READ + String.join("; echo " + SEPARATOR + "; ", commands)));
        Host.Result result = engine.docker(args);
        assertEquals(0, result.status(), result.output() + "\n" + engine.log());
        return result.output().split(SEPARATOR + "\n", -1);
    }

    private static String[] runUnchecked(Daemon daemon, List<String> dockerOptions, String command) {
        try {
            return run(daemon, dockerOptions, command);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What `proclens docker-flags` prints for this daemon, split into words as the shell's $(...) does: its line of
     * flags (the output here has stderr too, where it says why there is no sysinfo flag for this engine).
     */
    private static List<String> flags(Daemon daemon) throws Exception {
        Host.Result flags = Host.run(Host.proclens("docker-flags", "--mountpoint", daemon.file("").toString()));
        assertEquals(0, flags.status(), flags.output());
        return flagWords(flags.output().lines().filter(l -> l.startsWith("--")).findFirst().orElseThrow());
    }

    private static List<String> flagWords(String line) {
        return List.of(line.strip().split("\\s+"));
    }

    /** The "total" column of procps free's Mem: line. */
    private static String freeTotal(String free) {
        return free.lines().filter(l -> l.startsWith("Mem:")).findFirst().orElseThrow().trim().split("\\s+")[1];
    }
}
