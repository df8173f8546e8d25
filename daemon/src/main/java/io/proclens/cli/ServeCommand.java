package io.proclens.cli;

import io.proclens.control.ControlServer;
import io.proclens.control.OptionsFile;
import io.proclens.fuse.FuseSession;
import io.proclens.fuse.HandedOverFiles;
import io.proclens.mounts.MountException;
import io.proclens.handover.WorkerLink;
import io.proclens.sys.CallFailed;
import io.proclens.sys.Mappings;
import io.proclens.sys.Posix;
import io.proclens.sys.SharedMemory;
import io.proclens.sysinfo.SysinfoAgent;
import io.proclens.metrics.Labels;
import io.proclens.metrics.MetricsEndpoint;
import io.proclens.metrics.MetricsRegistry;
import io.proclens.render.CgroupRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * {@code proclens serve}, started by the holder ({@code proclens mount}), never by hand: takes the mounted
 * /dev/fuse descriptor over from the holder and serves it until told to retire (a successor serves) or stop.
 */
@Command(name = "serve", hidden = true, description = "A worker of proclens mount: serves the descriptor it holds.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(ServeCommand.class.getName());

    @Mixin
    ServingOptions serving;

    @Option(names = "--holder", required = true, paramLabel = "SOCKET", description = "The holder's socket.")
    Path holder;

    @Option(names = "--worker", required = true, paramLabel = "N", description = "This worker's number.")
    int worker;

    @Override
    public Integer call() throws Exception {
        Path target = serving.validatedTarget();
        // All made before asking for the descriptor, so that a standby is ready when it gets it.
        ServingProcess served = new ServingProcess(serving);
        OptionsFile changedAtRunTime = OptionsFile.of(target);
        HandedOverFiles files = new HandedOverFiles(served.fs, worker);
        registerHandOverCounts(served.metrics, files);
        FuseSession.Prepared prepared;
        try {
            prepared = FuseSession.prepare(files, served.requests, serving.debug);
        } catch (MountException e) {
            throw new UserError(e.getMessage());
        }
        warmUp(served);
        try (WorkerLink link = WorkerLink.connect(holder, worker)) {
            Optional<WorkerLink.Handed> handed = link.awaitDescriptor();
            if (handed.isEmpty()) return 0;
            carryOver(changedAtRunTime, served.renderer); // now, not at start: a standby may have waited long
            FuseSession session;
            try {
                session = prepared.takeOver(handed.get().fd(), target, handed.get().init(), handed.get().answerInit());
            } catch (MountException e) {
                throw new UserError(e.getMessage());
            }
            // Not before the descriptor: a standby must leave the address to the worker serving.
            MetricsEndpoint metrics = served.serveMetrics();
            Runnable retire = () -> {
                if (metrics != null) metrics.close(); // the successor binds the same address
                session.retire(1, TimeUnit.SECONDS);
                LOG.info("worker " + worker + " retires");
                Runtime.getRuntime().halt(0); // no cleanup: the control socket is the successor's now
            };
            // Signalled directly (not by the holder), a worker retires: the holder starts another.
            for (String name : List.of("TERM", "INT")) {
                Signal.handle(new Signal(name), s -> Thread.ofPlatform().start(retire));
            }
            Signal.handle(new Signal("HUP"), s -> { });
            java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
            link.listen(retire, () -> {
                LOG.info("stopping: unmounting " + target);
                stopped.set(true);
                session.stop();
            }, new LentListeners(served, link));
            ControlServer control = served.control(target, changedAtRunTime);
            LOG.info(served.serving(target, "worker " + worker + ", ", serving.threads, ""));
            link.serving(); // after the line above: whoever waits for the upgrade finds it in the log
            session.serve(serving.threads);
            if (!stopped.get()) {
                // Only the holder's STOP unmounts: the mount is the holder's, and the next worker serves it.
                LOG.warning("worker " + worker + " stops serving: " + session.endedBy());
                Runtime.getRuntime().halt(1);
            }
            try (served; session; control; metrics) {
                LOG.info("worker " + worker + " unmounted " + target);
            }
        }
        return 0;
    }

    /**
     * sysinfo(2) in a worker: the holder lends it the containers' seccomp listeners and the memfd of its agent's
     * in-flight slot, which outlives this process so that the next worker answers a call this one had taken.
     * Runs on the holder link's thread; the agent has its own.
     */
    private static final class LentListeners implements WorkerLink.Sysinfo {
        private final ServingProcess served;
        private final WorkerLink link;
        private SysinfoAgent agent;

        LentListeners(ServingProcess served, WorkerLink link) {
            this.served = served;
            this.link = link;
        }

        @Override
        public void slot(int memfd) {
            try {
                MemorySegment slot = SharedMemory.map(memfd, SysinfoAgent.SLOT_SIZE);
                agent = served.sysinfoAgent(slot, link::closed);
            } catch (CallFailed e) {
                LOG.warning("sysinfo(2) is not served by this worker: " + e.getMessage());
            } finally {
                Posix.close(memfd); // the mapping stays; the holder keeps the memfd
            }
        }

        /**
         * Without an agent (it could not start) the listener is given up here and at the holder, so that its calls fail
         * (ENOSYS) instead of waiting for an answer that never comes.
         */
        @Override
        public void listener(long key, int fd, String container) {
            if (agent == null) {
                Posix.close(fd);
                link.closed(key);
                return;
            }
            agent.add(key, fd, container);
        }

        @Override
        public void recover(int memfd) {
            try {
                if (agent == null) return;
                MemorySegment previous = SharedMemory.map(memfd, SysinfoAgent.SLOT_SIZE);
                agent.recover(previous); // copies it
                Mappings.unmap(previous);
            } catch (CallFailed e) {
                LOG.warning("the last agent's slot: " + e.getMessage());
            } finally {
                Posix.close(memfd);
            }
        }
    }

    private void registerHandOverCounts(MetricsRegistry metrics, HandedOverFiles files) {
        metrics.gauge("proclens_worker_generation", "This worker's number: how many workers the holder has started"
                + " for this mount, this one included (a replaced, upgraded, standby or failed one each counts).",
                Labels.NONE, () -> worker);
        metrics.counter("proclens_handover_adopted_handles_total",
                "Files opened through an earlier worker and read through this one.", Labels.NONE,
                files::adoptedHandles);
    }

    /** Renders the files read most once, so that the first reads after a take-over do not wait for class loading. */
    private static void warmUp(ServingProcess served) {
        int self = (int) ProcessHandle.current().pid();
        try {
            long proc = served.fs.lookup(io.proclens.fs.Filesystem.ROOT, "proc").ino();
            for (String name : List.of("meminfo", "stat", "cpuinfo", "uptime", "loadavg")) {
                long ino = served.fs.lookup(proc, name).ino();
                long handle = served.fs.open(ino, 0);
                served.fs.read(ino, handle, 0, 65536, self);
                served.fs.release(handle);
            }
        } catch (io.proclens.fs.FsException | RuntimeException e) {
            LOG.fine("warm-up: " + e.getMessage());
        }
    }

    /** Options changed at run time for an earlier worker of this mount stay changed for this one. */
    private static void carryOver(OptionsFile file, CgroupRenderer renderer) {
        try {
            file.load(renderer.options()).ifPresent(options -> {
                renderer.options(options);
                LOG.info("options as changed at run time for an earlier worker: " + options);
            });
        } catch (IOException e) {
            LOG.warning("options changed at run time are lost, serving with the command line's: " + e.getMessage());
        }
    }
}
