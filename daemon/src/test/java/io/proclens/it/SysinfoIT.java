package io.proclens.it;

import io.proclens.view.SysinfoView;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sysinfo(2) for containers: a process whose seccomp filter hands sysinfo to proclens (bench/src/main/c/
 * sysinfo-client.c plays the OCI runtime, and Docker with scripts/proclens-runc is the real one) sees its cgroup's
 * memory in sysinfo and in glibc's _SC_PHYS_PAGES, busybox free shows it, and a kill -9 of the serving worker loses
 * no call.
 */
class SysinfoIT {
    static final long MIB = 1024 * 1024;
    static final String TOTAL = Long.toString(256 * MIB);

    @TempDir
    static Path shared;
    static Path client;

    @TempDir
    Path temp;

    @BeforeAll
    static void compileTheClient() throws Exception {
        Host.assumeRootWithFuse();
        Assumptions.assumeTrue(Host.hasCommand("gcc"), "needs gcc for bench/src/main/c/sysinfo-client.c");
        client = shared.resolve("sysinfo-client");
        Host.Result built = Host.run("gcc", "-O2", "-Wall", "-o", client.toString(),
                Path.of("../bench/src/main/c/sysinfo-client.c").toAbsolutePath().toString(), "-lm");
        assertEquals(0, built.status(), built.output());
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x")); // for containers' root
    }

    static Path socketOf(Daemon daemon) {
        return io.proclens.mounts.RunFiles.seccompSocket(daemon.mountpoint);
    }

    static Map<String, String> lines(String output) {
        Map<String, String> values = new HashMap<>();
        for (String line : output.strip().split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) values.put(line.substring(0, space), line.substring(space + 1));
        }
        return values;
    }

    @Test
    void aCgroupsCallsShowItsMemoryUnderTheHolderAndInOneProcess() throws Exception {
        for (String[] shape : List.of(new String[0], new String[]{"--single-process"})) {
            try (Daemon daemon = Daemon.start(temp.resolve("mnt-" + shape.length), shape);
                 TestCgroup cgroup = TestCgroup.create(256 * MIB, "0")) {
                Map<String, String> shown = lines(cgroup.run(client.toString(), socketOf(daemon).toString()));
                String which = shape.length == 0 ? "holder and worker" : "single process";
                assertEquals(TOTAL, shown.get("totalram"), which + ": " + shown);
                assertEquals(TOTAL, shown.get("phys_pages_bytes"), which + ": glibc's _SC_PHYS_PAGES");
                assertEquals("1", shown.get("mem_unit"));
                long free = Long.parseLong(shown.get("freeram"));
                assertTrue(free > 0 && free <= 256 * MIB, which + ": freeram " + free);
                Map<String, String> host = lines(Host.run(client.toString(), "-x").output());
                assertTrue(Long.parseLong(host.get("totalram")) > 256 * MIB, "the host's own calls are untouched");
                assertEquals(0, daemon.terminate(), daemon.output());
            }
        }
    }

    /**
     * The agent's two ways out, on real notifications: a call received by an agent that then died (its slot kept)
     * is answered by the next agent, and a caller whose numbers cannot be had gets the real system call.
     */
    @Test
    void aCallTakenByADeadAgentIsAnsweredByTheNextAndNoNumbersMeansTheRealCall() throws Exception {
        java.util.concurrent.BlockingQueue<Integer> listeners = new java.util.concurrent.LinkedBlockingQueue<>();
        Path socket = temp.resolve("s.sock");
        SysinfoView.Numbers made = new SysinfoView.Numbers(42, new long[]{1, 2, 3}, 123_456_789, 1, 2, 3, 4, 5, 6);
        try (io.proclens.sysinfo.RuntimeSocket runtime = io.proclens.sysinfo.RuntimeSocket.open(socket,
                (fd, container) -> listeners.add(fd))) {
            Process caller = new ProcessBuilder(client.toString(), socket.toString()).redirectErrorStream(true).start();
            int fd = listeners.poll(30, TimeUnit.SECONDS);
            // The first agent receives the call into its slot and dies before answering.
            java.lang.foreign.MemorySegment slot = java.lang.foreign.Arena.ofAuto()
                    .allocate(io.proclens.sysinfo.SysinfoAgent.SLOT_SIZE, 8);
            slot.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 7L);
            try (io.proclens.sys.SeccompNotifications.Calls calls = new io.proclens.sys.SeccompNotifications.Calls()) {
                calls.receive(fd, slot.asSlice(8));
            }
            Thread.sleep(300);
            assertTrue(caller.isAlive(), "the caller waits for an answer");
            try (io.proclens.sysinfo.SysinfoAgent next = new io.proclens.sysinfo.SysinfoAgent(pid -> java.util.Optional.of(made),
                    java.lang.foreign.Arena.ofAuto().allocate(io.proclens.sysinfo.SysinfoAgent.SLOT_SIZE, 8), key -> { })) {
                next.add(7, fd, "test");
                next.recover(slot);
                assertTrue(caller.waitFor(30, TimeUnit.SECONDS));
                Map<String, String> shown = lines(new String(caller.getInputStream().readAllBytes()));
                assertEquals("123456789", shown.get("totalram"), shown.toString());
                assertEquals("42", shown.get("uptime"));
                assertEquals(1, next.recovered());
            }

            Process plain = new ProcessBuilder(client.toString(), socket.toString()).redirectErrorStream(true).start();
            int second = listeners.poll(30, TimeUnit.SECONDS);
            try (io.proclens.sysinfo.SysinfoAgent none = new io.proclens.sysinfo.SysinfoAgent(pid -> java.util.Optional.empty(),
                    java.lang.foreign.Arena.ofAuto().allocate(io.proclens.sysinfo.SysinfoAgent.SLOT_SIZE, 8), key -> { })) {
                none.add(1, second, "test");
                assertTrue(plain.waitFor(30, TimeUnit.SECONDS));
                Map<String, String> shown = lines(new String(plain.getInputStream().readAllBytes()));
                Map<String, String> host = lines(Host.run(client.toString(), "-x").output());
                assertEquals(host.get("totalram"), shown.get("totalram"), "the kernel's answer: " + shown);
                assertEquals(2, none.continued(), "its sysinfo and glibc's, for _SC_PHYS_PAGES");
            }
        }
    }

    /** A kill -9 of the serving worker, then an upgrade, under one call loop. */
    @Test
    void aWorkerKilledOrUpgradedUnderACallLoopLosesNoCall() throws Exception {
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"));
             TestCgroup cgroup = TestCgroup.create(256 * MIB, "0")) {
            Path out = temp.resolve("loop");
            Process loop = new ProcessBuilder(cgroup.wrap(List.of(client.toString(), "-l", "10",
                    socketOf(daemon).toString()))).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            Thread.sleep(2000);
            long worker = daemon.workerPid();
            assertTrue(worker > 0, daemon.output());
            ProcessHandle.of(worker).orElseThrow().destroyForcibly(); // SIGKILL, mid-loop
            daemon.awaitWorkersServed(2);
            Host.Result upgrade = Host.run(Host.proclens("upgrade", daemon.mountpoint.toString()));
            assertEquals(0, upgrade.status(), upgrade.output() + daemon.output());
            assertTrue(loop.waitFor(60, TimeUnit.SECONDS), "the call loop hung: " + Files.readString(out));
            String output = Files.readString(out);
            assertTrue(output.contains(" errors 0 first_errno 0 "), "every call answered: " + output);
            assertEquals(0, loop.exitValue(), output);
            daemon.awaitWorkersServed(3);
            List<String> windows = output.lines().filter(l -> l.startsWith("calls ")).toList();
            assertTrue(windows.size() > 30, output);
            for (String window : windows) assertTrue(window.endsWith(" totalram " + TOTAL), window);
            System.out.println("SysinfoIT: kill -9 and an upgrade under a call loop: " + output.lines().reduce((a, b) -> b).orElse(""));
        }
    }

    /** With --standby, as a node would run it when a second of waiting matters: the kill's cost is a hand-over. */
    @Test
    void dockerContainersWithTheRuntimeSeeTheirOwnSysinfoAndOthersTheHosts() throws Exception {
        for (String tool : List.of("busybox", "runc")) Assumptions.assumeTrue(Host.hasCommand(tool), tool + " is missing");
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), "--standby")) {
            Path socketFile = Files.writeString(temp.resolve("socket"), socketOf(daemon).toString());
            try (DockerEngine engine = DockerEngine.startWithSysinfoRuntime(socketFile)) {
                Host.Result flags = Host.run(List.of("env", "DOCKER_HOST=unix://" + engine.dir.resolve("docker.sock"),
                        Host.java(), "--enable-native-access=ALL-UNNAMED", "-jar", Host.daemonJar().toString(),
                        "docker-flags", "--mountpoint", daemon.mountpoint.toString()));
                assertTrue(flags.output().contains("--runtime proclens"), flags.output());
                String script = client + " -x; echo busybox_free $(busybox free | busybox awk '/Mem:/ { print $2 }')";
                List<String> run = new ArrayList<>(List.of("run", "--rm", "--network", "none", "-m", "256m",
                        "--cpuset-cpus", "0", "--mount", DockerEngine.HOST_USR,
                        "--mount", "type=bind,source=" + shared + ",target=" + shared + ",readonly"));
                List<String> withRuntime = new ArrayList<>(run);
                withRuntime.addAll(List.of(flags.output().lines().filter(l -> l.startsWith("--")).findFirst()
                        .orElseThrow().split(" ")));
                withRuntime.addAll(List.of(engine.hostUsrImage(), "sh", "-c", script));
                Host.Result ours = engine.docker(withRuntime);
                assertEquals(0, ours.status(), ours.output() + "\n" + engine.log());
                Map<String, String> shown = lines(ours.output());
                assertEquals(TOTAL, shown.get("totalram"), ours.output());
                assertEquals(TOTAL, shown.get("phys_pages_bytes"), ours.output());
                assertEquals("262144", shown.get("busybox_free"), ours.output());
                assertTrue(Long.parseLong(shown.get("uptime")) < 120, "the container's uptime: " + ours.output());

                List<String> plain = new ArrayList<>(run);
                plain.addAll(List.of(engine.hostUsrImage(), "sh", "-c", script));
                Map<String, String> host = lines(engine.docker(plain).output());
                assertTrue(Long.parseLong(host.get("totalram")) > 256 * MIB, "without the runtime: the kernel's " + host);

                // kill -9 of the worker while a container calls sysinfo in a loop
                List<String> looping = new ArrayList<>(withRuntime.subList(0, withRuntime.size() - 4));
                looping.addAll(List.of(engine.hostUsrImage(), client.toString(), "-x", "-l", "6"));
                Path out = temp.resolve("container-loop");
                List<String> command = new ArrayList<>(List.of(DockerEngine.DOCKER, "-H",
                        "unix://" + engine.dir.resolve("docker.sock")));
                command.addAll(looping);
                Process loop = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                Thread.sleep(3000); // the standby has long been ready: its JVM started with the daemon
                int served = daemon.workersServed();
                ProcessHandle.of(daemon.workerPid()).orElseThrow().destroyForcibly();
                assertTrue(loop.waitFor(90, TimeUnit.SECONDS), Files.readString(out));
                String output = Files.readString(out);
                assertTrue(output.contains(" errors 0 first_errno 0 "), output);
                System.out.println("SysinfoIT: kill -9 under a container's call loop: "
                        + output.lines().reduce((a, b) -> b).orElse(""));
                assertTrue(output.lines().filter(l -> l.startsWith("calls ")).allMatch(l -> l.endsWith(" totalram " + TOTAL)),
                        output);
                daemon.awaitWorkersServed(served + 1);
            }
        }
    }
}
