package io.proclens.cli;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.control.ControlServer;
import io.proclens.control.OptionsFile;
import io.proclens.fs.ProcFs;
import io.proclens.fs.VirtualFile;
import io.proclens.fuse.RequestMetrics;
import io.proclens.metrics.JvmMemory;
import io.proclens.metrics.Labels;
import io.proclens.metrics.ListenAddress;
import io.proclens.metrics.MetricsEndpoint;
import io.proclens.metrics.MetricsRegistry;
import io.proclens.mounts.RunFiles;
import io.proclens.render.CgroupRenderer;
import io.proclens.render.Fallback;
import io.proclens.render.Options;
import io.proclens.render.Sources;
import io.proclens.sys.CallFailed;
import io.proclens.sysinfo.RuntimeSocket;
import io.proclens.sysinfo.SysinfoAgent;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * What a serving process serves (`proclens mount --single-process`, or a worker): the tree, the renderer behind it
 * and the cgroup layout they read, the control socket that shows and changes its options, and its metrics.
 */
final class ServingProcess implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServingProcess.class.getName());

    final CgroupLayout layout;
    final CgroupRenderer renderer;
    final ProcFs fs;
    /** What --metrics serves; filled whether or not it is served (its counters cost nothing until then). */
    final MetricsRegistry metrics = new MetricsRegistry();
    /** The FUSE requests' counts and times: {@link RequestMetrics#OFF} without --metrics, so no clock is read. */
    final RequestMetrics requests;
    private final ListenAddress metricsAddress;

    ServingProcess(ServingOptions options) {
        layout = CgroupLayout.discover();
        renderer = new CgroupRenderer(Path.of("/"), Sources.ofHost(layout), options.options(),
                Duration.ofMillis(options.cacheTtlMillis));
        fs = new ProcFs(VirtualFile.servedHere(Path.of("/proc")), renderer, Path.of("/"));
        metricsAddress = options.metrics;
        requests = metricsAddress == null ? RequestMetrics.OFF : RequestMetrics.registeredIn(metrics);
        registerCounts();
    }

    /** The counts of {@link #counts()} and the renderer's, as metrics; names and help in docs/operations.md too. */
    private void registerCounts() {
        metrics.gauge("proclens_open_handles", "Files open through the mount now.", Labels.NONE, fs::openHandles);
        metrics.gauge("proclens_cached_snapshots", "Rendered snapshots kept now, by file, cgroup and options.",
                Labels.NONE, renderer::cachedSnapshots);
        metrics.gauge("proclens_cached_callers", "Caller resolutions (pid to cgroup) kept now.", Labels.NONE,
                renderer::cachedCallers);
        metrics.gauge("proclens_stat_floors", "Stat fields whose highest shown value is kept now, per cgroup.",
                Labels.NONE, renderer::statFloors);
        metrics.gauge("proclens_loadavg_cgroups", "Cgroups whose load averages are sampled now (--enable-loadavg).",
                Labels.NONE, renderer::loadavgCgroups);
        metrics.counter("proclens_snapshot_renders_total",
                "Snapshots rendered: reads from offset 0 that found no snapshot young enough (cache misses).",
                Labels.NONE, renderer::snapshotRenders);
        metrics.counter("proclens_snapshot_cache_hits_total",
                "Reads from offset 0 answered with a kept snapshot.", Labels.NONE, renderer::snapshotCacheHits);
        for (Fallback kind : Fallback.values()) {
            metrics.counter("proclens_fallbacks_total",
                    "Answers that were the host's file because the caller's numbers could not be read, by reason.",
                    Labels.of("reason", kind.label()), () -> renderer.fallbacks(kind));
        }
        metrics.gauge("proclens_sysinfo_listeners", "Containers' seccomp listeners this process answers sysinfo(2) for.",
                Labels.NONE, () -> sysinfo == null ? 0 : sysinfo.listeners());
        metrics.counter("proclens_sysinfo_answered_total", "sysinfo(2) calls answered with the container's numbers.",
                Labels.NONE, () -> sysinfo == null ? 0 : sysinfo.answered());
        metrics.counter("proclens_sysinfo_continued_total",
                "sysinfo(2) calls that ran as the real system call (the caller's numbers could not be had).",
                Labels.NONE, () -> sysinfo == null ? 0 : sysinfo.continued());
        metrics.counter("proclens_sysinfo_recovered_total",
                "sysinfo(2) calls a dead worker had taken, answered by this one.", Labels.NONE,
                () -> sysinfo == null ? 0 : sysinfo.recovered());
        metrics.gauge("proclens_jvm_heap_after_gc_bytes", "Heap in use after the last collection.", Labels.NONE,
                () -> JvmMemory.now().heapAfterGc());
        metrics.gauge("proclens_jvm_heap_used_bytes", "Heap in use now.", Labels.NONE,
                () -> JvmMemory.now().heapUsed());
        metrics.gauge("proclens_jvm_metaspace_bytes", "Metaspace in use now.", Labels.NONE,
                () -> JvmMemory.now().metaspace());
    }

    /** Serves {@link #metrics} at --metrics' address (binding on a thread of its own); null without --metrics. */
    MetricsEndpoint serveMetrics() {
        return metricsAddress == null ? null : MetricsEndpoint.start(metricsAddress, metrics);
    }

    /** What `proclens stats` shows of this process; each safe to read while the loop threads serve. */
    SequencedMap<String, Long> counts() {
        SequencedMap<String, Long> counts = new LinkedHashMap<>();
        counts.put("handles", (long) fs.openHandles());
        counts.put("cache", (long) renderer.cachedSnapshots());
        counts.put("callers", (long) renderer.cachedCallers());
        counts.put("stat_floors", (long) renderer.statFloors());
        counts.put("loadavg_cgroups", (long) renderer.loadavgCgroups());
        counts.put("fallbacks", renderer.fallbacks());
        SysinfoAgent agent = sysinfo;
        counts.put("sysinfo_listeners", agent == null ? 0L : agent.listeners());
        counts.put("sysinfo_answered", agent == null ? 0L : agent.answered());
        counts.put("sysinfo_continued", agent == null ? 0L : agent.continued());
        return counts;
    }

    /**
     * The control socket of {@code target}; a change of options is also kept in {@code keep} (null: nowhere), for
     * the mount's later workers. Null, and a warning, when the socket cannot be made: serving goes on without it.
     */
    ControlServer control(Path target, OptionsFile keep) {
        Consumer<Options> change = options -> {
            renderer.options(options);
            if (keep == null) return;
            try {
                keep.save(options);
            } catch (IOException e) {
                LOG.warning("the next worker will not keep this change of options: " + e.getMessage());
            }
        };
        try {
            return ControlServer.start(RunFiles.controlSocket(target), renderer::options, change, this::counts);
        } catch (IOException e) {
            LOG.warning("no control socket: " + e.getMessage());
            return null;
        }
    }

    /**
     * The log line that says what is served and how, which tests and soak.sh look for: "serving TARGET (PREFIX cgroup
     * layout ..., N threads, libfuse ..., options, SUFFIX pid ...)", each of PREFIX and SUFFIX empty or ending in ", ".
     */
    String serving(Path target, String prefix, int threads, String suffix) {
        return "serving " + target + " (" + prefix + "cgroup layout " + layout.mode() + ", " + threads + " threads, libfuse "
                + Preflight.libfuseVersion().orElse("?") + ", " + renderer.options() + ", " + suffix + "pid "
                + ProcessHandle.current().pid() + ")";
    }

    /**
     * sysinfo(2) served by this process alone (--single-process): the socket OCI runtimes hand containers' seccomp
     * listeners to, and the agent that answers their calls. Closing stops both (the listeners close at exit).
     */
    AutoCloseable serveSysinfo(Path target) {
        SysinfoAgent agent;
        try {
            agent = sysinfoAgent(Arena.ofAuto().allocate(SysinfoAgent.SLOT_SIZE, 8), key -> { });
        } catch (CallFailed e) {
            LOG.warning("sysinfo(2) is not served: " + e.getMessage());
            return () -> { };
        }
        AtomicLong keys = new AtomicLong();
        try {
            RuntimeSocket socket = RuntimeSocket.open(RunFiles.seccompSocket(target),
                    (fd, container) -> agent.add(keys.incrementAndGet(), fd, container));
            LOG.info("sysinfo(2): containers' seccomp listeners are taken at " + socket.path());
            return () -> {
                socket.close();
                agent.close();
            };
        } catch (IOException | RuntimeException e) {
            agent.close();
            LOG.warning("sysinfo(2) is not served: " + e.getMessage());
            return () -> { };
        }
    }

    /** An agent answering sysinfo(2) with this process's renderer; see {@link SysinfoAgent}. */
    SysinfoAgent sysinfoAgent(MemorySegment slot, LongConsumer closed) throws CallFailed {
        sysinfo = new SysinfoAgent(renderer::sysinfo, slot, closed);
        return sysinfo;
    }

    /** This process's agent once it has one (a worker's comes with the holder's first listeners): for the counts. */
    private volatile SysinfoAgent sysinfo;

    @Override
    public void close() {
        renderer.close();
    }
}
