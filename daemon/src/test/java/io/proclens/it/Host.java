package io.proclens.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the integration tests need from the machine, and small process helpers. */
final class Host {
    private Host() {
    }

    /** Skips the calling test, with the reason, unless we are root with /dev/fuse. */
    /** Skips the test, saying so, when {@code command} is not on this machine's PATH. */
    static void assumeCommand(String command) {
        boolean found = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
        Assumptions.assumeTrue(found, "needs " + command + " on the PATH");
    }

    static void assumeRootWithFuse() {
        Assumptions.assumeTrue(isRoot(), "needs root: it mounts FUSE and creates cgroups");
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse");
    }

    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this process ignores SIGHUP, as children of nohup do (and so would a daemon it starts). */
    static boolean ignoresSighup() {
        return io.proclens.handover.Supervisor.sighupIgnored();
    }

    static boolean hasCommand(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) return true;
        }
        return Files.isExecutable(Path.of("/usr/sbin", name)) || Files.isExecutable(Path.of("/sbin", name));
    }

    /** The java of this JVM: the daemon runs on the same JDK as the tests. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The daemon jar built by `mvn package`. */
    static Path daemonJar() {
        Path jar = Path.of(System.getProperty("proclens.jar", "target/proclens.jar"));
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the daemon jar " + jar + " is not built (run mvn package)");
        return jar.toAbsolutePath();
    }

    /** The command that runs the built daemon jar with {@code args} on this JDK (the launcher, without its flags). */
    static List<String> proclens(String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar",
                daemonJar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code command} with the daemon jar's command (see {@link #proclens}) after it: a wrapper and its args. */
    static Result runWrapped(List<String> wrapper, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(proclens(args));
        return run(command);
    }

    /** Runs a command to its end and returns what it printed (stdout and stderr together) and its status. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }

    record Result(int status, String output) {
    }

    /** Whether a filesystem of {@code type} is mounted at {@code path} in our mount namespace. */
    static boolean isMounted(Path path, String type) {
        try {
            String wanted = " " + path.toAbsolutePath() + " ";
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (line.contains(wanted) && line.contains(" - " + type + " ")) return true;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static boolean anyMountAt(Path path) {
        try {
            String wanted = " " + path.toAbsolutePath() + " ";
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(wanted));
        } catch (IOException e) {
            return false;
        }
    }

    /** Lazily unmounts everything at {@code path}; for cleaning up after a failed test. */
    static void unmountAll(Path path) throws IOException, InterruptedException {
        for (int i = 0; i < 8 && anyMountAt(path); i++) run("umount", "-l", path.toString());
    }

    static List<String> lines(String text) {
        return new ArrayList<>(text.lines().toList());
    }

    /** Kills each process and its descendants, and waits for it: the readers a test started, whatever happened. */
    static void killAll(java.util.List<Process> processes) throws InterruptedException {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
