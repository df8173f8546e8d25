package io.proclens.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A proclens daemon started from the built jar, in the foreground, as a user would run it. */
final class Daemon implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("proclens.it.startSeconds", 30));

    final Path mountpoint;
    final Path log;
    private final Process process;

    private Daemon(Path mountpoint, Path log, Process process) {
        this.mountpoint = mountpoint;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts `proclens mount --foreground MOUNTPOINT ARGS` and waits until it serves the mount: until it says so,
     * since a dead mount left at the same place is a fuse.proclens mount too.
     */
    static Daemon start(Path mountpoint, String... args) throws IOException, InterruptedException {
        return start(java.util.Map.of(), mountpoint, args);
    }

    /** As {@link #start(Path, String...)}, with {@code environment} added to the daemon's. */
    static Daemon start(java.util.Map<String, String> environment, Path mountpoint, String... args)
            throws IOException, InterruptedException {
        Daemon daemon = launch(environment, mountpoint, args);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!(daemon.output().contains("proclens: info: serving ") && Host.isMounted(mountpoint, "fuse.proclens"))) {
            if (!daemon.process.isAlive()) {
                throw new IllegalStateException("proclens exited with " + daemon.process.exitValue() + ": "
                        + daemon.output());
            }
            if (System.nanoTime() > deadline) {
                daemon.process.destroyForcibly();
                throw new IllegalStateException("proclens did not mount in " + START_TIMEOUT + ": " + daemon.output());
            }
            Thread.sleep(20);
        }
        return daemon;
    }

    /** Starts the daemon without waiting: for tests of how it fails. */
    static Daemon launch(Path mountpoint, String... args) throws IOException {
        return launch(java.util.Map.of(), mountpoint, args);
    }

    private static Daemon launch(java.util.Map<String, String> environment, Path mountpoint, String... args)
            throws IOException {
        Path log = Files.createTempFile("proclens-it-", ".log");
        List<String> command = Host.proclens("mount", "--foreground", mountpoint.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        return new Daemon(mountpoint, log, process);
    }

    Path file(String relative) {
        return mountpoint.resolve(relative);
    }

    /** The daemon's pid: the holder of /dev/fuse, which a user signals. */
    long pid() {
        return process.pid();
    }

    private static final java.util.regex.Pattern SERVING =
            java.util.regex.Pattern.compile("proclens: info: serving .*\\(worker (\\d+),.* pid (\\d+)\\)");

    /** The pid of the worker that said last that it serves (the holder's child serving the mount), or -1. */
    long workerPid() {
        long pid = -1;
        java.util.regex.Matcher matcher = SERVING.matcher(output());
        while (matcher.find()) pid = Long.parseLong(matcher.group(2));
        return pid;
    }

    /** The process that serves requests: the worker under a holder, the daemon itself with --single-process. */
    long servingPid() {
        long worker = workerPid();
        return worker >= 0 ? worker : pid();
    }

    /** The pids of every worker that said it serves, in order. */
    List<Long> servingPids() {
        List<Long> pids = new ArrayList<>();
        java.util.regex.Matcher matcher = SERVING.matcher(output());
        while (matcher.find()) pids.add(Long.parseLong(matcher.group(2)));
        return pids;
    }

    /** How many workers have said that they serve, so far. */
    int workersServed() {
        int count = 0;
        java.util.regex.Matcher matcher = SERVING.matcher(output());
        while (matcher.find()) count++;
        return count;
    }

    /** Waits until {@code count} workers have said that they serve; fails the test after START_TIMEOUT. */
    void awaitWorkersServed(int count) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (workersServed() < count) {
            if (System.nanoTime() > deadline) throw new AssertionError("no new worker served: " + output());
            Thread.sleep(5);
        }
    }

    /** SIGTERM, then the exit status (or -1 if it did not exit in time, after which it is killed). */
    int terminate() throws InterruptedException {
        process.destroy();
        return awaitExit(20);
    }

    int awaitExit(int seconds) throws InterruptedException {
        if (process.waitFor(seconds, TimeUnit.SECONDS)) return process.exitValue();
        process.destroyForcibly();
        process.waitFor();
        return -1;
    }

    /** Kills the whole daemon, the holder and its workers, as a crash or `kill -9` of its process group would. */
    void kill9() throws InterruptedException {
        List<ProcessHandle> workers = process.toHandle().descendants().toList();
        process.destroyForcibly();
        workers.forEach(ProcessHandle::destroyForcibly);
        process.waitFor();
        for (ProcessHandle worker : workers) worker.onExit().join();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
        Host.unmountAll(mountpoint);
        Files.deleteIfExists(log);
        // what a daemon killed by the test could not remove itself
        Files.deleteIfExists(io.proclens.mounts.RunFiles.controlSocket(mountpoint));
        io.proclens.control.OptionsFile.of(mountpoint).delete();
        Files.deleteIfExists(io.proclens.mounts.RunFiles.holderSocket(mountpoint));
        Files.deleteIfExists(io.proclens.mounts.RunFiles.seccompSocket(mountpoint));
    }
}
