package io.proclens.cli;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.control.ControlServer;
import io.proclens.fs.CgroupRenderer;
import io.proclens.fs.Options;
import io.proclens.fs.Sources;
import io.proclens.fs.ProcFs;
import io.proclens.fs.VirtualFile;
import io.proclens.fuse.FuseSession;
import io.proclens.fuse.MountException;
import io.proclens.fuse.Mountpoint;
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
final class MountCommand implements Callable<Integer> {
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
            description = "How long a cgroup's rendered file is reused for other opens, in milliseconds"
                    + " (default ${DEFAULT-VALUE}; 0 renders on every open).")
    long cacheTtlMillis;

    @Option(names = {"-d", "--debug"}, description = "Print every FUSE request (libfuse's -d).")
    boolean debug;

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
        if (!foreground) return Background.start(target, logFile);
        StopOnSignal stopper = StopOnSignal.install();
        try {
            Mountpoint.prepare(target);
        } catch (MountException e) {
            throw new UserError(e.getMessage());
        }
        CgroupLayout layout = CgroupLayout.discover();
        CgroupRenderer renderer = new CgroupRenderer(Path.of("/"), Sources.ofHost(layout),
                new Options(enableCfs, enableLoadavg, !disableSwap), java.time.Duration.ofMillis(cacheTtlMillis));
        ProcFs fs = new ProcFs(VirtualFile.servedHere(Path.of("/proc")), renderer, Path.of("/"));
        FuseSession session;
        try {
            session = FuseSession.mount(target, fs, debug);
        } catch (MountException e) {
            throw new UserError(e.getMessage());
        }
        try (renderer; session; ControlServer control = ControlServer.start(ControlServer.socketFor(target), renderer::options,
                renderer::options)) {
            stopper.attach(session);
            LOG.info("serving " + target + " (cgroup layout " + layout.mode() + ", " + threads + " threads, libfuse "
                    + Preflight.libfuseVersion().orElse("?") + ", " + renderer.options() + ", pid " + ProcessHandle.current().pid() + ")");
            session.serve(threads);
        }
        LOG.info("unmounted " + target + ", exiting");
        return 0;
    }

    /** Starts a detached copy of ourselves in the foreground and returns once it serves the mount. */
    static final class Background {
        static int start(Path target, Path logFile) throws IOException, InterruptedException {
            ProcessHandle.Info self = ProcessHandle.current().info();
            List<String> command = new ArrayList<>(List.of("setsid", self.command().orElseThrow()));
            command.addAll(List.of(self.arguments().orElseThrow()));
            command.add("--foreground");
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Process child = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectErrorStream(true)
                    .start();
            for (int waited = 0; waited < 200; waited++) {
                if (isServed(target)) {
                    System.out.println("proclens: serving " + target + " (pid " + child.pid() + ", log " + logFile + ")");
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
