package io.proclens.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A real cgroup with a memory limit and a cpuset, made for one test and removed after it: on cgroup v1 and
 * hybrid layouts one directory per controller (below the test's own cgroup, which belongs to the machine), on
 * pure v2 one directory below the test's own cgroup's parent with both controllers enabled.
 */
final class TestCgroup implements AutoCloseable {
    static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** The directories whose cgroup.procs a member joins. */
    final List<Path> dirs;
    final boolean v2;

    private TestCgroup(List<Path> dirs, boolean v2) {
        this.dirs = dirs;
        this.v2 = v2;
    }

    static boolean pureV2() {
        return Files.exists(ROOT.resolve("cgroup.controllers"));
    }

    /** Creates the cgroup with {@code memoryLimit} bytes and {@code cpus} (kernel list format), no CPU quota. */
    static TestCgroup create(long memoryLimit, String cpus) throws IOException {
        return create(memoryLimit, cpus, 0);
    }

    /**
     * Creates the cgroup with {@code memoryLimit} bytes, {@code cpus} (kernel list format) and a CFS quota of
     * {@code quotaMicros} per 100 ms period (0: none). The reader joins every controller's cgroup (on v1 also
     * cpu, cpuacct and blkio), so that all its numbers are the test cgroup's.
     */
    static TestCgroup create(long memoryLimit, String cpus, long quotaMicros) throws IOException {
        String name = "proclens-it-" + UUID.randomUUID().toString().substring(0, 8);
        return pureV2() ? createV2(name, memoryLimit, cpus, quotaMicros) : createV1(name, memoryLimit, cpus, quotaMicros);
    }

    private static TestCgroup createV1(String name, long memoryLimit, String cpus, long quotaMicros) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try {
            Path memory = Files.createDirectory(ownV1("memory").resolve(name));
            dirs.add(memory);
            Files.writeString(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryLimit));
            Path cpuset = Files.createDirectory(ownV1("cpuset").resolve(name));
            dirs.add(cpuset);
            Files.writeString(cpuset.resolve("cpuset.mems"), Files.readString(cpuset.getParent().resolve("cpuset.mems")).strip());
            Files.writeString(cpuset.resolve("cpuset.cpus"), cpus);
            for (String controller : List.of("cpu", "cpuacct", "blkio")) {
                Path dir = ownV1(controller).resolve(name);
                // absent, or the same hierarchy as one done already (cpu,cpuacct co-mounted behind symlinks)
                if (!Files.isDirectory(ROOT.resolve(controller)) || Files.exists(dir)) continue;
                dirs.add(Files.createDirectory(dir));
            }
            if (quotaMicros > 0) {
                Path cpu = ownV1("cpu").resolve(name);
                Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000");
                Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quotaMicros));
            }
            return new TestCgroup(dirs, false);
        } catch (IOException | RuntimeException e) {
            new TestCgroup(dirs, false).close();
            throw e;
        }
    }

    private static TestCgroup createV2(String name, long memoryLimit, String cpus, long quotaMicros) throws IOException {
        // Beside our own cgroup: v2 lets no cgroup that holds processes (but the root) give controllers to children.
        String own = ownV2Relative();
        Path parent = own.isEmpty() ? ROOT : ROOT.resolve(own).getParent();
        String controllers = Files.readString(parent.resolve("cgroup.controllers"));
        Assumptions.assumeTrue(controllers.contains("memory") && controllers.contains("cpuset"),
                "the cgroup2 parent " + parent + " lacks memory or cpuset: " + controllers.strip());
        Files.writeString(parent.resolve("cgroup.subtree_control"),
                controllers.contains("io") ? "+memory +cpuset +cpu +io" : "+memory +cpuset +cpu");
        Path dir = parent.resolve(name);
        Files.createDirectory(dir);
        TestCgroup cgroup = new TestCgroup(List.of(dir), true);
        try {
            Files.writeString(dir.resolve("memory.max"), Long.toString(memoryLimit));
            Files.writeString(dir.resolve("cpuset.cpus"), cpus);
            if (quotaMicros > 0) Files.writeString(dir.resolve("cpu.max"), quotaMicros + " 100000");
            return cgroup;
        } catch (IOException | RuntimeException e) {
            cgroup.close();
            throw e;
        }
    }

    /** The directory of this process's cgroup in the v1 hierarchy of {@code controller}. */
    private static Path ownV1(String controller) throws IOException {
        Path mount = ROOT.resolve(controller);
        Assumptions.assumeTrue(Files.isDirectory(mount), "no cgroup v1 " + controller + " hierarchy at " + mount);
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
                return mount.resolve(parts[2].substring(1));
            }
        }
        return mount;
    }

    private static String ownV2Relative() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (line.startsWith("0::")) return line.substring(4);
        }
        return "";
    }

    /**
     * The command that runs {@code command} as a member of this cgroup: a shell joins it, then execs.
     */
    List<String> wrap(List<String> command) {
        StringBuilder join = new StringBuilder();
        for (Path dir : dirs) join.append("echo $$ > '").append(dir.resolve("cgroup.procs")).append("' && ");
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", join + "exec \"$@\"", "sh"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs {@code command} inside this cgroup and returns its output; fails the test on a non-zero status. */
    String run(String... command) throws IOException, InterruptedException {
        Host.Result result = Host.run(wrap(List.of(command)));
        if (result.status() != 0) {
            throw new AssertionError("'" + String.join(" ", command) + "' exited " + result.status() + ": "
                    + result.output());
        }
        return result.output();
    }

    /**
     * Removes the cgroup: rmdir fails while a member is still exiting, so it waits; members left after a second (a
     * reader the test forgot) are killed. A cgroup that cannot be removed in 10 s fails the test, never silently
     * stays (45 empty ones had piled up on a machine when this gave up quietly after a second).
     */
    @Override
    public void close() throws IOException {
        for (Path dir : dirs.reversed()) {
            IOException last = null;
            for (int attempt = 0; attempt < 500 && Files.exists(dir); attempt++) {
                try {
                    Files.delete(dir);
                } catch (IOException e) {
                    last = e;
                    if (attempt == 50) killMembers(dir);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while removing " + dir, e);
                    }
                }
            }
            if (Files.exists(dir)) throw new IOException("could not remove the test cgroup " + dir, last);
        }
    }

    private static void killMembers(Path dir) {
        try {
            for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | NumberFormatException e) {
            // gone meanwhile, or a child cgroup holds them: the next rmdir says
        }
    }
}
