package io.proclens.cli;

import io.proclens.mounts.RunFiles;
import io.proclens.cgroup.CgroupLayout;
import io.proclens.control.ControlServer;
import io.proclens.control.OptionsFile;
import io.proclens.fs.ProcFs;
import io.proclens.fs.VirtualFile;
import io.proclens.render.CgroupRenderer;
import io.proclens.render.Options;
import io.proclens.render.Sources;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * What a serving process serves (`proclens mount --single-process`, or a worker): the tree, the renderer behind it
 * and the cgroup layout they read, and the control socket that shows and changes its options.
 */
final class ServingProcess implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServingProcess.class.getName());

    final CgroupLayout layout;
    final CgroupRenderer renderer;
    final ProcFs fs;

    ServingProcess(ServingOptions options) {
        layout = CgroupLayout.discover();
        renderer = new CgroupRenderer(Path.of("/"), Sources.ofHost(layout), options.options(),
                Duration.ofMillis(options.cacheTtlMillis));
        fs = new ProcFs(VirtualFile.servedHere(Path.of("/proc")), renderer, Path.of("/"));
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

    @Override
    public void close() {
        renderer.close();
    }
}
