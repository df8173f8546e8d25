package io.proclens.cli;

import io.proclens.metrics.ListenAddress;
import io.proclens.render.Options;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every serving process takes, `proclens mount` and its workers (`proclens serve`) alike: the mountpoint and
 * the options of the tree it serves. A picocli mixin; {@link #asArguments()} passes them on to a worker.
 */
final class ServingOptions {
    static final String DEFAULT_MOUNTPOINT = "/var/lib/proclens";

    @Parameters(index = "0", arity = "0..1", defaultValue = DEFAULT_MOUNTPOINT,
            description = "Where to mount (created if missing; default ${DEFAULT-VALUE}). /var/lib/lxcfs replaces LXCFS.")
    Path mountpoint;

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

    @Option(names = "--cache-ttl", paramLabel = "MS", defaultValue = "100",
            description = "How long a cgroup's rendered file is reused for other reads from offset 0, in"
                    + " milliseconds (default ${DEFAULT-VALUE}; 0 renders on every one).")
    long cacheTtlMillis;

    @Option(names = {"-d", "--debug"}, description = "Print every FUSE request (libfuse's -d).")
    boolean debug;

    @Option(names = "--metrics", paramLabel = "ADDRESS", converter = ListenAddressConverter.class,
            description = "Serve Prometheus metrics at http://ADDRESS/metrics; ADDRESS is HOST:PORT, [IPV6]:PORT or"
                    + " :PORT for every interface (e.g. 127.0.0.1:9464). Off by default. The serving worker answers,"
                    + " and each new worker binds the same address again. Set at start only: `proclens options`"
                    + " cannot change it.")
    ListenAddress metrics;

    /**
     * One thread per CPU, since a thread that finds requests queued never sleeps; at least two, so that one reader's
     * open, read and release overlap. On 2 cores, 3 or 4 threads were slower and 1 was no faster (see FuseSession).
     */
    static int defaultThreads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** The absolute mountpoint, after checking the numbers; a {@link UserError} for one out of range. */
    Path validatedTarget() {
        if (threads < 1 || threads > 256) throw new UserError("--threads must be between 1 and 256");
        if (cacheTtlMillis < 0 || cacheTtlMillis > 60_000) throw new UserError("--cache-ttl must be 0 to 60000 ms");
        return mountpoint.toAbsolutePath().normalize();
    }

    Options options() {
        return new Options(enableCfs, enableLoadavg, !disableSwap);
    }

    /** These options as a worker ({@code proclens serve}) takes them, before its mountpoint. */
    List<String> asArguments() {
        List<String> arguments = new ArrayList<>(List.of("--threads", Integer.toString(threads),
                "--cache-ttl", Long.toString(cacheTtlMillis)));
        if (disableSwap) arguments.add("--disable-swap");
        if (enableCfs) arguments.add("--enable-cfs");
        if (enableLoadavg) arguments.add("--enable-loadavg");
        if (debug) arguments.add("--debug");
        if (metrics != null) arguments.addAll(List.of("--metrics", metrics.toString()));
        return arguments;
    }
}
