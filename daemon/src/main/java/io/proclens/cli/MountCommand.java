package io.proclens.cli;

import io.proclens.mounts.RunFiles;
import io.proclens.control.ControlServer;
import io.proclens.control.OptionsFile;
import io.proclens.fuse.FuseSession;
import io.proclens.mounts.MountException;
import io.proclens.mounts.Mountpoint;
import io.proclens.fuse.RequestTimeout;
import io.proclens.handover.Supervisor;
import io.proclens.heal.Remount;
import io.proclens.metrics.MetricsEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/** {@code proclens mount}: mounts the virtual tree and serves it until SIGTERM or SIGINT. */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = "Mounts proclens at MOUNTPOINT and serves it. Bind-mount its files over /proc/... in containers.")
final class MountCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(MountCommand.class.getName());

    @Mixin
    ServingOptions serving;

    @Option(names = {"-f", "--foreground"}, description = "Stay in the foreground (for systemd, docker, tests).")
    boolean foreground;

    @Option(names = "--log", paramLabel = "FILE", defaultValue = "/var/log/proclens.log",
            description = "Where a background daemon writes its log (default ${DEFAULT-VALUE}).")
    Path logFile;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "Write the daemon's pid (the holder's, the process to signal) here, removed at exit (default in the background:"
                    + " /run/proclens/daemon<mountpoint with _ for />.pid; none in the foreground).")
    Path pidFile;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Ask the kernel (Linux 6.14+) to abort the connection when a request stays unanswered this"
                    + " long, so that a hung daemon fails its readers instead of hanging them (the kernel uses at least"
                    + " 15 and checks every 15 s; default ${DEFAULT-VALUE}: never). libfuse 3.14 cannot ask for it, so"
                    + " the host-wide sysctl fs.fuse.default_request_timeout is set until the mount's INIT is answered:"
                    + " a daemon killed in that window leaves it set. The mount is gone after a timeout: restart and"
                    + " `proclens remount`.")
    int requestTimeoutSeconds;

    @Option(names = "--remount", description = "Once serving, heal every container whose binds come from a dead"
            + " proclens or LXCFS mount (what `proclens remount` does). Off by default: it changes mounts inside every"
            + " container of the host.")
    boolean remount;

    @Option(names = "--standby", description = "Keep a second worker started and waiting, so that a killed worker is"
            + " replaced in milliseconds instead of a JVM start (costs the memory of one more worker).")
    boolean standby;

    @Option(names = "--single-process", description = "Serve in this process, without the holder of /dev/fuse: a"
            + " crash or restart then breaks every container's mount (as with LXCFS); saves one JVM's memory.")
    boolean singleProcess;

    @Option(names = "--transport", paramLabel = "dev|io-uring", defaultValue = "dev",
            description = "How requests reach the daemon: dev (read and write of /dev/fuse, through libfuse; the"
                    + " default) or io-uring (FUSE over io_uring, Linux 6.14+ with"
                    + " /sys/module/fuse/parameters/enable_uring set to Y; over /dev/fuse where the kernel does not"
                    + " offer it). io-uring needs --single-process: the kernel does not resend the requests a killed"
                    + " worker had taken from its ring, so the holder's hand-over would hang their readers.")
    String transport;

    @Override
    public Integer call() throws Exception {
        Path target = serving.validatedTarget();
        checkTransport();
        Preflight.check();
        checkMetricsAddress();
        if (!foreground) return Background.start(target, logFile, pidFile == null ? defaultPidFile(target) : null);
        return singleProcess ? serve(target) : hold(target);
    }

    /** Mounts and serves in this process, until SIGTERM or SIGINT (see --single-process). */
    private int serve(Path target) throws Exception {
        StopOnSignal stopper = StopOnSignal.install();
        ServingProcess process = new ServingProcess(serving);
        RequestTimeout timeout = requestTimeout();
        FuseSession session;
        try {
            session = mount(target, timeout,
                    () -> transport.equals("io-uring")
                            ? FuseSession.mountOverRing(target, process.fs, process.requests, serving.debug)
                            : FuseSession.mount(target, process.fs, process.requests, serving.debug));
        } catch (UserError e) {
            process.close();
            throw e;
        }
        afterMount(target, timeout);
        try (process; session; ControlServer control = process.control(target, null);
             MetricsEndpoint metrics = process.serveMetrics(); AutoCloseable sysinfo = process.serveSysinfo(target)) {
            stopper.attach(session);
            LOG.info(process.serving(target, "", serving.threads, timeout.description() + ", "
                    + (session.overRing() ? "over io_uring, " : "")));
            try (PidFile ignored = PidFile.write(pidFile)) {
                session.serve(serving.threads);
            }
            if (session.aborted()) {
                LOG.severe("the kernel aborted the FUSE connection of " + target + ": its mount is dead; clearing it"
                        + " and exiting with status 1 (a restart mounts it again)");
                return 1; // closing the session unmounts
            }
        }
        LOG.info("unmounted " + target + ", exiting");
        return 0;
    }

    /**
     * Mounts, keeps the /dev/fuse descriptor in this process and lets worker processes serve it (see
     * {@link Supervisor}): a worker that dies or is upgraded is replaced while the mount, and every container's bind
     * mount of it, stays alive.
     */
    private int hold(Path target) throws Exception {
        RequestTimeout timeout = requestTimeout();
        OptionsFile changedAtRunTime = OptionsFile.of(target);
        changedAtRunTime.delete(); // left by a daemon that was killed: a new mount starts from its command line
        prepare(target, timeout); // before the worker starts: a busy or served mountpoint must not lose its socket
        try (Supervisor supervisor = Supervisor.start(target,
                Supervisor.WorkerCommand.ofThisJvm(serving.asArguments(), target), standby)) {
            FuseSession.Device device = mountPrepared(timeout, () -> FuseSession.mountDevice(target, serving.debug));
            LOG.info(target + ": " + timeout.description());
            afterMount(target, timeout);
            try (PidFile ignored = PidFile.write(pidFile)) {
                return supervisor.hold(device);
            }
        } finally {
            changedAtRunTime.delete();
            // A worker that ended with the connection halts without removing its control socket.
            Files.deleteIfExists(RunFiles.controlSocket(target));
        }
    }

    /** One way to mount: the mountpoint made ready (created, a dead mount cleared), then {@code mount}. */
    private static <T> T mount(Path target, RequestTimeout timeout, Mounting<T> mount) {
        prepare(target, timeout);
        return mountPrepared(timeout, mount);
    }

    private static <T> T mountPrepared(RequestTimeout timeout, Mounting<T> mount) {
        try {
            return mount.mount();
        } catch (MountException e) {
            timeout.close();
            throw new UserError(e.getMessage());
        }
    }

    private static void prepare(Path target, RequestTimeout timeout) {
        try {
            Mountpoint.prepare(target);
        } catch (MountException e) {
            timeout.close();
            throw new UserError(e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Mounting<T> {
        T mount() throws MountException;
    }

    /** An address another program holds is an error now, not a warning in a worker's log later. */
    private void checkTransport() {
        if (!transport.equals("dev") && !transport.equals("io-uring")) {
            throw new UserError("--transport " + transport + ": expected dev or io-uring");
        }
        if (transport.equals("io-uring") && !singleProcess) {
            throw new UserError("--transport io-uring needs --single-process: a worker killed with requests in its"
                    + " ring would leave their readers hung (the kernel resends only /dev/fuse's requests)");
        }
    }

    private void checkMetricsAddress() {
        if (serving.metrics == null) return;
        try {
            MetricsEndpoint.checkBindable(serving.metrics);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new UserError("--metrics " + serving.metrics + ": " + e.getMessage());
        }
    }

    private RequestTimeout requestTimeout() {
        if (requestTimeoutSeconds < 0) throw new UserError("--request-timeout must be 0 or more seconds");
        return RequestTimeout.forNextMount(requestTimeoutSeconds);
    }

    /** Both wait, on threads of their own, for the mount to answer its first request. */
    private void afterMount(Path target, RequestTimeout timeout) {
        timeout.restoreWhenAnswered(target);
        if (remount) new Remount(target).inBackground();
    }

    /** Beside the control socket: one per mountpoint, so that several daemons never share one. */
    static Path defaultPidFile(Path target) {
        return RunFiles.pidFile(target);
    }

    /** The pid of the serving process in a file, for hosts without systemd; gone when it exits normally. */
    record PidFile(Path path) implements AutoCloseable {
        static PidFile write(Path path) throws IOException {
            if (path == null) return new PidFile(null);
            Path absolute = path.toAbsolutePath();
            Files.createDirectories(absolute.getParent());
            Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
            Files.writeString(temp, ProcessHandle.current().pid() + "\n");
            Files.move(temp, absolute, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return new PidFile(absolute);
        }

        @Override
        public void close() throws IOException {
            if (path != null) Files.deleteIfExists(path);
        }
    }

    /** Starts a detached copy of ourselves in the foreground and returns once it serves the mount. */
    static final class Background {
        static int start(Path target, Path logFile, Path defaultPidFile) throws IOException, InterruptedException {
            ProcessHandle.Info self = ProcessHandle.current().info();
            List<String> command = new ArrayList<>(List.of("setsid", self.command().orElseThrow()));
            command.addAll(List.of(self.arguments().orElseThrow()));
            int jarAt = command.indexOf("-jar");
            if (jarAt > 0) { // a JVM's crash report beside the log (the holder passes it on to its workers)
                command.add(jarAt, "-XX:ErrorFile=" + crashReports(logFile));
            }
            command.add("--foreground");
            if (defaultPidFile != null) command.addAll(List.of("--pid-file", defaultPidFile.toString()));
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put(Main.LOG_TIMESTAMPS, "1"); // a log file has no journal to stamp its lines
            Process child = builder
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectErrorStream(true)
                    .start();
            for (int waited = 0; waited < 200; waited++) {
                if (isServed(target)) {
                    System.out.println("proclens: serving " + target + " (pid " + child.pid() + ", log " + logFile
                            + (defaultPidFile == null ? "" : ", pid file " + defaultPidFile) + ")");
                    return 0;
                }
                if (!child.isAlive()) break;
                Thread.sleep(50);
            }
            System.err.println("proclens: the daemon did not come up; see " + logFile);
            child.destroy();
            return 1;
        }

        /** A JVM crash report's path pattern for a daemon logging to {@code logFile}: its directory. */
        static String crashReports(Path logFile) {
            return logFile.toAbsolutePath().resolveSibling("proclens-crash-%p.log").toString();
        }

        /** From the mount table only: a daemon that mounted but hangs must not hang this wait too. */
        private static boolean isServed(Path target) {
            return Mountpoint.isProclens(target);
        }
    }
}
