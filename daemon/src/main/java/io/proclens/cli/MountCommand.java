package io.proclens.cli;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.control.ControlServer;
import io.proclens.control.OptionsFile;
import io.proclens.fs.ProcFs;
import io.proclens.fs.VirtualFile;
import io.proclens.fuse.FuseSession;
import io.proclens.fuse.MountException;
import io.proclens.fuse.Mountpoint;
import io.proclens.fuse.RequestTimeout;
import io.proclens.handover.Supervisor;
import io.proclens.heal.Remount;
import io.proclens.render.CgroupRenderer;
import io.proclens.render.Options;
import io.proclens.render.Sources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
class MountCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(MountCommand.class.getName());
    static final String DEFAULT_MOUNTPOINT = "/var/lib/proclens";

    @Parameters(index = "0", arity = "0..1", defaultValue = DEFAULT_MOUNTPOINT,
            description = "Where to mount (created if missing; default ${DEFAULT-VALUE}). /var/lib/lxcfs replaces LXCFS.")
    Path mountpoint;

    @Option(names = {"-f", "--foreground"}, description = "Stay in the foreground (for systemd, docker, tests).")
    boolean foreground;

    @Option(names = "--threads", paramLabel = "N",
            description = "Loop threads serving requests (default: the number of CPUs, at least 2).")
    int threads = defaultThreads();

    @Option(names = {"-u", "--disable-swap"}, description = "Show no swap in meminfo and swaps (LXCFS's --disable-swap).")
    boolean disableSwap;

    @Option(names = "--enable-cfs", description = "Limit the CPUs shown in cpuinfo, stat and online to the CFS quota,"
            + " rounded up (LXCFS's --enable-cfs).")
    boolean enableCfs;

    @Option(names = {"-l", "--enable-loadavg"}, description = "Per-container loadavg, sampled every 5 s"
            + " (LXCFS's --enable-loadavg); without it loadavg is the host's.")
    boolean enableLoadavg;

    @Option(names = "--log", paramLabel = "FILE", defaultValue = "/var/log/proclens.log",
            description = "Where a background daemon writes its log (default ${DEFAULT-VALUE}).")
    Path logFile;

    @Option(names = "--cache-ttl", paramLabel = "MS", defaultValue = "100",
            description = "How long a cgroup's rendered file is reused for other reads from offset 0, in"
                    + " milliseconds (default ${DEFAULT-VALUE}; 0 renders on every one).")
    long cacheTtlMillis;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "Write the daemon's pid (the holder's, the process to signal) here, removed at exit (default in the background:"
                    + " /run/proclens/daemon<mountpoint with _ for />.pid; none in the foreground).")
    Path pidFile;

    @Option(names = {"-d", "--debug"}, description = "Print every FUSE request (libfuse's -d).")
    boolean debug;

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

    /**
     * One thread per CPU, since a thread that finds requests queued never sleeps; at least two, so that one reader's
     * open, read and release overlap. On 2 cores, 3 or 4 threads were slower and 1 was no faster (see FuseSession).
     */
    static int defaultThreads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || threads > 256) throw new UserError("--threads must be between 1 and 256");
        if (cacheTtlMillis < 0 || cacheTtlMillis > 60_000) throw new UserError("--cache-ttl must be 0 to 60000 ms");
        Path target = mountpoint.toAbsolutePath().normalize();
        Preflight.check();
        if (!foreground) return Background.start(target, logFile, pidFile == null ? defaultPidFile(target) : null);
        if (!singleProcess) return hold(target);
        StopOnSignal stopper = StopOnSignal.install();
        try {
            Mountpoint.prepare(target);
        } catch (MountException e) {
            throw new UserError(e.getMessage());
        }
        Served served = served();
        CgroupLayout layout = served.layout();
        CgroupRenderer renderer = served.renderer();
        ProcFs fs = served.fs();
        FuseSession session;
        RequestTimeout timeout = requestTimeout();
        try {
            session = FuseSession.mount(target, fs, debug);
        } catch (MountException e) {
            timeout.close();
            throw new UserError(e.getMessage());
        }
        afterMount(target, timeout);
        try (renderer; session; ControlServer control = ControlServer.start(ControlServer.socketFor(target), renderer::options,
                renderer::options, served::counts)) {
            stopper.attach(session);
            LOG.info("serving " + target + " (cgroup layout " + layout.mode() + ", " + threads + " threads, libfuse "
                    + Preflight.libfuseVersion().orElse("?") + ", " + renderer.options() + ", " + timeout.description() + ", pid "
                    + ProcessHandle.current().pid() + ")");
            try (PidFile ignored = PidFile.write(pidFile)) {
                session.serve(threads);
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

    /** The tree a serving process serves, and what it is made of. */
    record Served(CgroupLayout layout, CgroupRenderer renderer, ProcFs fs) {
        /** What `proclens stats` shows of the serving process; each safe to read while the loop threads serve. */
        java.util.SequencedMap<String, Long> counts() {
            java.util.SequencedMap<String, Long> counts = new java.util.LinkedHashMap<>();
            counts.put("handles", (long) fs.openHandles());
            counts.put("cache", (long) renderer.cachedSnapshots());
            counts.put("callers", (long) renderer.cachedCallers());
            counts.put("stat_floors", (long) renderer.statFloors());
            counts.put("loadavg_cgroups", (long) renderer.loadavgCgroups());
            counts.put("fallbacks", renderer.fallbacks());
            return counts;
        }
    }

    Served served() {
        CgroupLayout layout = CgroupLayout.discover();
        CgroupRenderer renderer = new CgroupRenderer(Path.of("/"), Sources.ofHost(layout),
                new Options(enableCfs, enableLoadavg, !disableSwap), java.time.Duration.ofMillis(cacheTtlMillis));
        return new Served(layout, renderer, new ProcFs(VirtualFile.servedHere(Path.of("/proc")), renderer, Path.of("/")));
    }

    /**
     * Mounts, keeps the /dev/fuse descriptor in this process and lets worker processes serve it (see
     * {@link Supervisor}): a worker that dies or is upgraded is replaced while the mount, and every container's bind
     * mount of it, stays alive.
     */
    private int hold(Path target) throws Exception {
        try {
            Mountpoint.prepare(target);
        } catch (MountException e) {
            throw new UserError(e.getMessage());
        }
        FuseSession.Device device;
        RequestTimeout timeout = requestTimeout();
        try {
            device = FuseSession.mountDevice(target, debug);
        } catch (MountException e) {
            timeout.close();
            throw new UserError(e.getMessage());
        }
        LOG.info(target + ": " + timeout.description());
        afterMount(target, timeout);
        OptionsFile changedAtRunTime = OptionsFile.of(target);
        changedAtRunTime.delete(); // left by a daemon that was killed: a new mount starts from its command line
        try (PidFile ignored = PidFile.write(pidFile)) {
            return Supervisor.run(target, device, Supervisor.WorkerCommand.ofThisJvm(serveOptions(), target), standby);
        } finally {
            changedAtRunTime.delete();
            // A worker that ended with the connection halts without removing its control socket.
            Files.deleteIfExists(ControlServer.socketFor(target));
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

    /** This command's options as a worker ({@code proclens serve}) takes them. */
    List<String> serveOptions() {
        List<String> options = new ArrayList<>(List.of("--threads", Integer.toString(threads),
                "--cache-ttl", Long.toString(cacheTtlMillis)));
        if (disableSwap) options.add("--disable-swap");
        if (enableCfs) options.add("--enable-cfs");
        if (enableLoadavg) options.add("--enable-loadavg");
        if (debug) options.add("--debug");
        return options;
    }

    /** Beside the control socket: one per mountpoint, so that several daemons never share one. */
    static Path defaultPidFile(Path target) {
        return ControlServer.runFileFor("daemon", target, ".pid");
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

        private static boolean isServed(Path target) {
            try {
                return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                        .anyMatch(line -> line.contains(" " + target + " ") && line.contains(" - fuse.proclens "));
            } catch (IOException e) {
                return false;
            }
        }
    }
}
