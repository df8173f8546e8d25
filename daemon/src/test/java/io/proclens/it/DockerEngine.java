package io.proclens.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Docker engine of the test's own: Debian's dockerd started by hand with networking off, its data, state and
 * socket in a temp dir, its containers' cgroups beside ours, and an image built from this machine's busybox and
 * procps (nothing can be pulled here). {@link #close()} removes the containers, stops dockerd by its pid and leaves
 * no mount, cgroup or file behind.
 */
final class DockerEngine implements AutoCloseable {
    static final String DOCKER = "/usr/bin/docker";
    static final String DOCKERD = "/usr/sbin/dockerd";
    /** procps' tools, read /proc like the ones in real images; busybox's free and uptime use sysinfo(2) instead. */
    static final List<String> PROCPS = List.of("/usr/bin/free", "/usr/bin/top", "/usr/bin/uptime");
    static final List<String> APPLETS = List.of("sh", "cat", "head", "grep", "sleep", "nproc", "wc", "echo", "ls");

    /** The user whose subordinate ids `--userns-remap=default` maps containers to; dockerd creates it. */
    static final String REMAP_USER = "dockremap";

    final Path dir;
    final String image;
    private final String cgroupParent;
    private final Process daemon;
    /** Whether close() removes {@link #REMAP_USER} (and its /etc/subuid, /etc/subgid lines): this engine made it. */
    private final boolean removeRemapUser;

    private DockerEngine(Path dir, String cgroupParent, Process daemon, boolean removeRemapUser) {
        this.dir = dir;
        this.cgroupParent = cgroupParent;
        this.daemon = daemon;
        this.removeRemapUser = removeRemapUser;
        this.image = "proclens-test:" + ProcessHandle.current().pid();
    }

    static DockerEngine start() throws Exception {
        return start(false);
    }

    /**
     * An engine with scripts/proclens-runc registered as runtime "proclens" (what docs/operations.md has users do),
     * the daemon's seccomp socket read from {@code socketFile} at each container's create: a test writes its
     * daemon's there.
     */
    static DockerEngine startWithSysinfoRuntime(Path socketFile) throws Exception {
        Path wrapper = socketFile.resolveSibling(socketFile.getFileName() + ".runc");
        Files.writeString(wrapper, "#!/bin/sh\nexport PROCLENS_SECCOMP_SOCKET=\"$(cat " + socketFile + ")\" PROCLENS_JAR="
                + Host.daemonJar() + "\nexec " + Path.of("../scripts/proclens-runc").toAbsolutePath().normalize()
                + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return startWith("--add-runtime", "proclens=" + wrapper);
    }

    /** An engine with more dockerd options (e.g. {@code --add-runtime NAME=PATH}). */
    static DockerEngine startWith(String... dockerdOptions) throws Exception {
        return start(false, dockerdOptions);
    }

    /**
     * An engine whose containers run in user namespaces (`--userns-remap=default`): their root is uid 100000 or so
     * on the host. dockerd adds the user {@value #REMAP_USER} for it if missing; close() then removes it again.
     */
    static DockerEngine startRemapped() throws Exception {
        return start(true);
    }

    private static DockerEngine start(boolean remap, String... dockerdOptions) throws Exception {
        Host.assumeRootWithFuse();
        Assumptions.assumeTrue(Files.isExecutable(Path.of(DOCKERD)) && Files.isExecutable(Path.of(DOCKER)),
                "Debian's docker.io is not installed (" + DOCKERD + ", " + DOCKER + ")");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static is not installed");
        for (String tool : PROCPS) Assumptions.assumeTrue(Files.isExecutable(Path.of(tool)), tool + " is missing (procps)");
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("/lib/terminfo/d/dumb")), "no /lib/terminfo/d/dumb (ncurses-base)");
        // Short: containerd's sockets live below it, and a unix socket path has at most 107 bytes.
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pdk");
        String parent = cgroupParent(dir.getFileName().toString());
        List<String> command = new ArrayList<>(List.of(DOCKERD, "--bridge=none", "--iptables=false", "--ip6tables=false",
                "--userland-proxy=false", "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("docker.pid").toString(),
                "-H", "unix://" + dir.resolve("docker.sock"), "--cgroup-parent", parent));
        command.addAll(List.of(dockerdOptions));
        boolean madeRemapUser = false;
        if (remap) {
            Assumptions.assumeTrue(Host.hasCommand("useradd") && Host.hasCommand("userdel"),
                    "--userns-remap=default needs useradd and userdel (passwd)");
            madeRemapUser = Host.run("id", REMAP_USER).status() != 0;
            // the remapped root must pass through the temp dir (created 0700) to its layers below it
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            command.add("--userns-remap=default");
        }
        Process daemon = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        DockerEngine engine = new DockerEngine(dir, parent, daemon, madeRemapUser);
        try {
            engine.awaitReady();
            engine.buildImage();
            return engine;
        } catch (Throwable e) {
            engine.close();
            throw e;
        }
    }

    /** Beside our own cgroup, like the other tests' cgroups: the machine's cgroup tree above it is not ours. */
    private static String cgroupParent(String engineName) throws IOException {
        String own = "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) continue;
            if (List.of(parts[1].split(",")).contains("memory")) {
                own = parts[2];
                break;
            }
            if (parts[0].equals("0")) own = parts[2];
        }
        Path parent = Path.of(own).getParent();
        return (parent == null ? Path.of("/") : parent).resolve("proclens-" + engineName).toString();
    }

    private void awaitReady() throws Exception {
        for (int i = 0; i < 300; i++) {
            if (!daemon.isAlive()) throw new IllegalStateException("dockerd exited:\n" + log());
            if (Files.exists(dir.resolve("docker.sock")) && docker("info").status() == 0) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("dockerd did not answer within 30 s:\n" + log());
    }

    /** busybox-static with a few applets, and procps' free, top and uptime with the libraries they link. */
    private void buildImage() throws Exception {
        Path root = dir.resolve("rootfs");
        for (String sub : List.of("bin", "usr/bin", "proc", "sys", "dev", "etc", "tmp")) Files.createDirectories(root.resolve(sub));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        for (String applet : APPLETS) Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
        for (String tool : PROCPS) {
            copy(Path.of(tool), root);
            for (String line : Host.run("ldd", tool).output().lines().toList()) {
                for (String word : line.trim().split("\\s+")) {
                    if (word.startsWith("/")) copy(Path.of(word).toRealPath(), root.resolve(word.substring(1)).getParent(), Path.of(word).getFileName().toString());
                }
            }
        }
        // procps' top will not start without a terminal description, even in batch mode.
        copy(Path.of("/lib/terminfo/d/dumb"), root);
        Host.Result imported = Host.run("sh", "-c", "tar -C '" + root + "' -c . | " + DOCKER + " -H unix://"
                + dir.resolve("docker.sock") + " import - " + image);
        assertEquals(0, imported.status(), imported.output());
    }

    /**
     * An image whose programs are this machine's own: bin, sbin, lib and lib64 point into /usr (Debian 12's merged
     * /usr), which a container gets with {@link #HOST_USR}: procps, busybox, glibc's getconf, util-linux, coreutils,
     * Python and the JDK, as they are installed here. Imported once per engine.
     */
    String hostUsrImage() throws Exception {
        String usrImage = "proclens-usr:" + ProcessHandle.current().pid();
        if (docker("image", "inspect", usrImage).status() == 0) return usrImage;
        Path root = dir.resolve("usr-rootfs");
        for (String sub : List.of("usr", "proc", "sys", "dev", "etc", "tmp", "probe")) Files.createDirectories(root.resolve(sub));
        for (String link : List.of("bin", "sbin", "lib", "lib64")) Files.createSymbolicLink(root.resolve(link), Path.of("usr", link));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Host.Result imported = Host.run("sh", "-c", "tar -C '" + root + "' -c . | " + DOCKER + " -H unix://"
                + dir.resolve("docker.sock") + " import - " + usrImage);
        assertEquals(0, imported.status(), imported.output());
        return usrImage;
    }

    /** The `docker run` flag that gives a container of {@link #hostUsrImage()} this machine's /usr, read-only. */
    static final String HOST_USR = "type=bind,source=/usr,target=/usr,readonly";

    private static void copy(Path file, Path root) throws IOException {
        copy(file, root.resolve(file.toString().substring(1)).getParent(), file.getFileName().toString());
    }

    private static void copy(Path file, Path targetDir, String name) throws IOException {
        Files.createDirectories(targetDir);
        Path target = targetDir.resolve(name);
        if (!Files.exists(target)) Files.copy(file, target);
    }

    /** Runs the docker CLI against this engine. */
    Host.Result docker(String... args) throws IOException, InterruptedException {
        return docker(List.of(args));
    }

    Host.Result docker(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(DOCKER, "-H", "unix://" + dir.resolve("docker.sock")));
        command.addAll(args);
        return Host.run(command);
    }

    String log() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("dockerd.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no dockerd log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (daemon.isAlive()) {
                Host.Result ids = docker("ps", "-aq");
                if (ids.status() == 0 && !ids.output().isBlank()) {
                    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                    rm.addAll(ids.output().lines().toList());
                    docker(rm);
                }
                daemon.toHandle().destroy(); // SIGTERM to dockerd's pid; it stops its containerd
                if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                    daemon.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                    daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo")).reversed()) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && fields[4].startsWith(dir + "/")) Host.run("umount", "-l", fields[4]);
            }
            removeCgroups();
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            if (removeRemapUser) Host.run("userdel", REMAP_USER); // and its subordinate id ranges
        }
    }

    /** dockerd leaves its --cgroup-parent directory in every hierarchy: remove it, deepest first. */
    private void removeCgroups() throws IOException {
        try (Stream<Path> hierarchies = Files.list(TestCgroup.ROOT)) {
            for (Path hierarchy : hierarchies.toList()) {
                for (Path base : List.of(hierarchy, hierarchy.resolve("unified"))) {
                    Path parent = base.resolve(cgroupParent.substring(1));
                    if (!Files.isDirectory(parent)) continue;
                    try (Stream<Path> dirs = Files.walk(parent)) {
                        dirs.filter(Files::isDirectory).sorted(Comparator.reverseOrder())
                                .forEach(d -> d.toFile().delete()); // rmdir: a cgroup dir has only kernel files
                    }
                }
            }
        }
    }
}
