package io.proclens.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full restart with nothing holding the FUSE device (the daemon killed with -9, then started again): readers
 * that run on in a docker container and in an `unshare --mount` namespace read ENOTCONN, as a container bound to
 * a killed LXCFS does, and a restarted LXCFS does not help its container; `proclens remount` makes all three read
 * proclens again without restarting a reader, and changes no other mount of theirs.
 */
class RemountIT {
    /** How long a reader's loop sleeps between two reads. */
    static final double READ_PERIOD_S = 0.1;
    static final String ENOTCONN = "not connected";

    @TempDir
    Path temp;

    @Test
    void remountHealsContainersAndNamespacesBoundToDeadProclensAndLxcfsMounts() throws Exception {
        Path mountpoint = temp.resolve("mnt");
        Path lxcfsMountpoint = temp.resolve("lxcfs");
        Path out = Files.createDirectories(temp.resolve("out"));
        Process unshared = null;
        Lxcfs lxcfs = null;
        Lxcfs lxcfsAgain = null;
        Daemon restarted = null;
        try (DockerEngine engine = DockerEngine.start(); Daemon daemon = Daemon.start(mountpoint);
             TestCgroup cgroup = TestCgroup.create(256L << 20, "0")) {
            lxcfs = Lxcfs.start(lxcfsMountpoint);
            String loop = "i=0; while :; do i=$((i+1)); echo \"$i $(head -n1 /proc/meminfo 2>&1)\" > /out/%s;"
                    + " sleep " + READ_PERIOD_S + "; done";
            String proclensContainer = runReader(engine, out, binds(mountpoint, "proc/meminfo", "proc/stat", "proc/uptime",
                    "sys/devices/system/cpu/online"), String.format(loop, "docker.state"));
            String lxcfsContainer = runReader(engine, out, binds(lxcfsMountpoint, "proc/meminfo", "proc/stat", "proc/uptime"),
                    String.format(loop, "lxcfs.state"));
            unshared = new ProcessBuilder(cgroup.wrap(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind -o ro " + mountpoint.resolve("proc/meminfo") + " /proc/meminfo && mount --bind "
                            + mountpoint.resolve("proc/stat") + " /proc/stat && "
                            + String.format(loop.replace("/out/", out + "/"), "unshare.state"))))
                    .redirectErrorStream(true).redirectOutput(temp.resolve("unshare.log").toFile()).start();
            Map<String, Path> readers = new LinkedHashMap<>();
            readers.put("docker container bound to proclens", out.resolve("docker.state"));
            readers.put("unshare namespace bound to proclens", out.resolve("unshare.state"));
            readers.put("docker container bound to LXCFS", out.resolve("lxcfs.state"));
            for (var reader : readers.entrySet()) {
                String state = awaitState(reader.getValue(), s -> s.contains("MemTotal:"), 30);
                assertTrue(state.contains("262144 kB"), reader.getKey() + " reads its 256 MiB limit: " + state);
            }
            Map<String, Integer> pids = new LinkedHashMap<>();
            pids.put("docker container bound to proclens", containerPid(engine, proclensContainer));
            pids.put("unshare namespace bound to proclens", (int) unshared.pid());
            pids.put("docker container bound to LXCFS", containerPid(engine, lxcfsContainer));
            Map<String, List<String>> before = new LinkedHashMap<>();
            for (var pid : pids.entrySet()) before.put(pid.getKey(), mountinfo(pid.getValue()));

            // The full restart: nothing holds either daemon's /dev/fuse descriptor.
            daemon.kill9();
            Host.run("kill", "-KILL", Long.toString(lxcfsPid(lxcfsMountpoint)));
            for (var reader : readers.entrySet()) awaitState(reader.getValue(), s -> s.contains(ENOTCONN), 10);
            Host.unmountAll(lxcfsMountpoint); // what LXCFS's unit does when it stops, before it starts again
            lxcfsAgain = Lxcfs.start(lxcfsMountpoint);
            restarted = Daemon.start(mountpoint);
            Thread.sleep(1000);
            Map<String, String> broken = new LinkedHashMap<>();
            for (var reader : readers.entrySet()) {
                String state = Files.readString(reader.getValue());
                broken.put(reader.getKey(), state);
                assertTrue(state.contains(ENOTCONN), "with both daemons running again, the " + reader.getKey()
                        + " still fails (only a container restart helped before remount): " + state);
                System.out.println("after the restarts, before remount, the " + reader.getKey() + " reads: " + state.strip());
            }

            long start = System.nanoTime();
            Host.Result remount = Host.run(Host.proclens("remount", "--mountpoint", mountpoint.toString()));
            long returned = System.nanoTime();
            System.out.println(remount.output());
            // Other mounts of this host (other tests' dead FUSE mounts copied into the unshare namespace) may be
            // left alone: the status is not asserted, the namespaces of this test are.
            for (var reader : readers.entrySet()) {
                String last = broken.get(reader.getKey());
                String state = awaitState(reader.getValue(), s -> s.contains("MemTotal:"), 5);
                long healed = System.nanoTime();
                assertTrue(state.contains("262144 kB"), reader.getKey() + " reads proclens' 256 MiB: " + state);
                assertTrue(counter(state) > counter(last), "the same reader, not a new one: " + last + " then " + state);
                double sinceReturn = (healed - returned) / 1e9;
                System.out.printf("%s healed: reads proclens %.3f s after `proclens remount` returned"
                        + " (%.3f s after it started; a reader reads every %.1f s)%n", reader.getKey(), sinceReturn,
                        (healed - start) / 1e9, READ_PERIOD_S);
                assertTrue(sinceReturn < 1, reader.getKey() + " took " + sinceReturn + " s");
            }
            long live = minorOf(restarted.mountpoint);
            for (var pid : pids.entrySet()) {
                Set<String> healed = healedTargets(remount.output(), pid.getValue());
                assertTrue(!healed.isEmpty(), "remount healed nothing in the " + pid.getKey() + ":\n" + remount.output());
                List<String> after = mountinfo(pid.getValue());
                assertEquals(without(before.get(pid.getKey()), healed), without(after, healed),
                        "remount changed only the healed mounts of the " + pid.getKey());
                for (String target : healed) {
                    String old = lineAt(before.get(pid.getKey()), target);
                    String now = lineAt(after, target);
                    assertTrue(old.contains(" - fuse.proclens ") || old.contains(" - fuse.lxcfs "), "healed a FUSE bind: " + old);
                    assertTrue(now.contains(" 0:" + live + " "), "now from the live mount: " + now);
                    assertEquals(perMountOptions(old), perMountOptions(now), "same per-mount options at " + target);
                }
            }
        } finally {
            if (unshared != null) unshared.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // before its cgroup goes
            if (restarted != null) restarted.close();
            if (lxcfsAgain != null) lxcfsAgain.close();
            if (lxcfs != null) lxcfs.close();
            Host.unmountAll(mountpoint);
        }
    }

    private static List<String> binds(Path mountpoint, String... files) {
        List<String> args = new ArrayList<>();
        for (String file : files) {
            args.addAll(List.of("--mount", "type=bind,source=" + mountpoint.resolve(file) + ",target=/" + file + ",readonly"));
        }
        return args;
    }

    private static String runReader(DockerEngine engine, Path out, List<String> binds, String loop) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--network", "none", "-m", "256m",
                "--mount", "type=bind,source=" + out + ",target=/out"));
        args.addAll(binds);
        args.addAll(List.of(engine.image, "sh", "-c", loop));
        Host.Result started = engine.docker(args);
        assertEquals(0, started.status(), started.output() + "\n" + engine.log());
        return started.output().strip();
    }

    private static int containerPid(DockerEngine engine, String id) throws Exception {
        Host.Result pid = engine.docker("inspect", "-f", "{{.State.Pid}}", id);
        assertEquals(0, pid.status(), pid.output());
        return Integer.parseInt(pid.output().strip());
    }

    /** LXCFS runs as a child of this JVM (see {@link Lxcfs}): the one serving {@code mountpoint}. */
    private static long lxcfsPid(Path mountpoint) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().map(c -> c.contains("lxcfs") && c.contains(mountpoint.toString())).orElse(false))
                .findFirst().orElseThrow().pid();
    }

    interface Check {
        boolean test(String state);
    }

    /** Polls a reader's state file ("COUNT LINE") until {@code check} holds. */
    private static String awaitState(Path file, Check check, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String state = "";
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                state = Files.readString(file);
                if (check.test(state)) return state;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(file + " did not change as expected in " + seconds + " s: " + state);
    }

    private static long counter(String state) {
        String first = state.strip().split(" ", 2)[0];
        return first.isEmpty() ? 0 : Long.parseLong(first);
    }

    private static List<String> mountinfo(int pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"));
    }

    private static long minorOf(Path mountpoint) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f[4].equals(mountpoint.toString())) return Long.parseLong(f[2].split(":")[1]);
        }
        throw new AssertionError("nothing mounted at " + mountpoint);
    }

    /** The mount points remount printed for {@code pid}: "healed process PID (...): /a, /b in 3.2 ms". */
    private static Set<String> healedTargets(String output, int pid) {
        Set<String> targets = new TreeSet<>();
        for (String line : output.lines().toList()) {
            if (!line.startsWith("healed process " + pid + " ")) continue;
            String list = line.substring(line.indexOf("): ") + 3, line.lastIndexOf(" in "));
            targets.addAll(List.of(list.split(", ")));
        }
        return targets;
    }

    private static List<String> without(List<String> mountinfo, Set<String> targets) {
        return mountinfo.stream().filter(l -> !targets.contains(l.split(" ")[4])).toList();
    }

    private static String lineAt(List<String> mountinfo, String target) {
        return mountinfo.stream().filter(l -> l.split(" ")[4].equals(target)).reduce((a, b) -> b).orElseThrow();
    }

    private static String perMountOptions(String line) {
        return line.split(" ")[5];
    }
}
