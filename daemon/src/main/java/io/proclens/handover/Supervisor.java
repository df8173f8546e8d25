package io.proclens.handover;

import io.proclens.bindings.LibFuse;
import io.proclens.fuse.FuseSession;
import io.proclens.fuse.InitRequest;
import io.proclens.mounts.MountEntry;
import io.proclens.mounts.MountTable;
import sun.misc.Signal;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The holder: keeps the mounted /dev/fuse descriptor for as long as the daemon runs and lends it to serving worker
 * processes (the same jar, {@code proclens serve}). The kernel keeps a FUSE connection, and every container's bind
 * mount of it, alive while any process holds the descriptor, so a worker can die or be replaced without a reader
 * ever seeing ENOTCONN: when a worker exits the holder tells the kernel to resend what it had read and not
 * answered (FUSE_NOTIFY_RESEND) and hands the descriptor to the next one.
 *
 * <p>All state is kept by one thread, which runs the events (connections, messages, exits, signals, timers) one at a
 * time; other threads only post events. Workers are started from that long-lived thread too.
 */
public final class Supervisor {
    private static final Logger LOG = Logger.getLogger(Supervisor.class.getName());
    /** How long an upgrade's new worker may take to serve before it is given up. */
    static final long UPGRADE_TIMEOUT_SECONDS = 120;
    /** How long a stopping worker may take to unmount and exit. */
    static final long STOP_TIMEOUT_SECONDS = 15;

    private final Path target;
    private final FuseSession.Device device;
    private final byte[] init;
    private final WorkerCommand command;
    private final boolean standby;
    private final FdChannel.Listener listener;
    private final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("holder-timer").unstarted(r));
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();

    private Path jar;
    private int nextId = 1;
    private Worker active;       // has the descriptor and is the one to replace when it dies
    private Worker candidate;    // an upgrade's new worker, until it serves
    private FdChannel upgradeClient;
    private boolean initAnswered;
    private boolean stopping;
    private boolean resendRefused;
    private int failuresInARow;  // workers that exited before serving
    private int exitStatus;      // of the holder: 1 once the kernel aborted the connection

    private final class Worker {
        final int id;
        final Path jar;
        final Process process;
        FdChannel channel;
        boolean holdsDescriptor;
        boolean serving;

        Worker(int id, Path jar, Process process) {
            this.id = id;
            this.jar = jar;
            this.process = process;
        }

        void send(Message message) {
            if (channel == null) return;
            try {
                message.sendOn(channel);
            } catch (IOException e) {
                LOG.warning("worker " + id + " (pid " + process.pid() + "): " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "worker " + id + " (pid " + process.pid() + ")";
        }
    }

    private Supervisor(Path target, FuseSession.Device device, byte[] init, WorkerCommand command, boolean standby,
                       FdChannel.Listener listener) {
        this.target = target;
        this.device = device;
        this.init = init;
        this.command = command;
        this.standby = standby;
        this.listener = listener;
        this.jar = command.jar();
    }

    /** The holder's socket for the daemon serving {@code mountpoint}: one per mount. */
    public static Path socketFor(Path mountpoint) {
        String name = mountpoint.toAbsolutePath().normalize().toString().replace('/', '_');
        return Path.of("/run/proclens", "holder" + name + ".sock");
    }

    /**
     * Holds {@code device} (freshly mounted: its FUSE_INIT is still unread) and keeps a worker serving it until
     * SIGTERM or SIGINT; SIGHUP upgrades to the jar's current contents. Returns the exit status.
     */
    public static int run(Path target, FuseSession.Device device, WorkerCommand command, boolean standby)
            throws IOException, InterruptedException {
        byte[] init = FuseDevice.readInit(device.fd());
        if (init.length < InitRequest.MIN_LENGTH || InitRequest.opcode(init) != InitRequest.FUSE_INIT) {
            throw new IOException("the first request on the new mount is not FUSE_INIT (opcode "
                    + (init.length >= 8 ? InitRequest.opcode(init) : -1) + ")");
        }
        int version = InitRequest.version(init);
        LOG.info("holding /dev/fuse of " + target + " (FUSE " + (version >> 16) + "." + (version & 0xffff)
                + " offered by the kernel, pid " + ProcessHandle.current().pid() + ")");
        try (FdChannel.Listener listener = FdChannel.Listener.bind(socketFor(target))) {
            return new Supervisor(target, device, init, command, standby, listener).loop();
        }
    }

    private int loop() throws InterruptedException {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), s -> post(() -> stop("SIG" + s.getName())));
        }
        Signal.handle(new Signal("HUP"), s -> post(() -> upgrade(null, null)));
        if (sighupIgnored()) {
            LOG.warning("SIGHUP is ignored in this process (started under nohup?): the JVM keeps it so, and `kill -HUP`"
                    + " will not upgrade; use `proclens upgrade`");
        }
        Thread.ofPlatform().daemon().name("holder-accept").start(this::acceptLoop);
        spawn(jar);
        while (!(stopping && workers.isEmpty())) {
            Runnable event = events.take();
            try {
                event.run();
            } catch (RuntimeException e) {
                LOG.severe("holder event failed: " + e);
            }
        }
        unmountIfStillOurs();
        timers.shutdownNow();
        LOG.info("unmounted " + target + ", exiting");
        return exitStatus;
    }

    /** Bit 1 of SigIgn in /proc/self/status: a parent's ignored SIGHUP, which the JVM never installs a handler over. */
    public static boolean sighupIgnored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 1) != 0;
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: say nothing
        }
        return false;
    }

    private void post(Runnable event) {
        events.add(event);
    }

    // ---- connections: each posts its messages as events ----

    private void acceptLoop() {
        while (true) {
            FdChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                return; // the listener was closed
            }
            Thread.ofPlatform().daemon().name("holder-peer").start(() -> readPeer(channel));
        }
    }

    private void readPeer(FdChannel channel) {
        try {
            Message first = Message.receiveFrom(channel);
            if (first == null) {
                channel.close();
                return;
            }
            if (first.kind() == Message.Kind.UPGRADE) {
                String jarText = first.text();
                post(() -> upgrade(jarText.isEmpty() ? null : Path.of(jarText), channel));
                return; // the answer comes when the upgrade has ended
            }
            if (first.kind() != Message.Kind.HELLO) {
                channel.close();
                return;
            }
            post(() -> hello(first.worker(), channel));
            for (Message message; (message = Message.receiveFrom(channel)) != null; ) {
                if (message.kind() == Message.Kind.SERVING) {
                    int id = message.worker();
                    post(() -> serving(id));
                }
            }
        } catch (IOException e) {
            LOG.fine("hand-over connection: " + e.getMessage());
        }
    }

    // ---- events ----

    private Worker spawn(Path from) {
        int id = nextId++;
        List<String> cmd = command.forWorker(from, id, listener.path());
        try {
            Process process = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Worker worker = new Worker(id, from, process);
            workers.put(id, worker);
            process.onExit().thenRun(() -> post(() -> exited(worker)));
            return worker;
        } catch (IOException e) {
            LOG.severe("cannot start a worker: " + e.getMessage());
            return null;
        }
    }

    private void hello(int id, FdChannel channel) {
        Worker worker = workers.get(id);
        if (worker == null || worker.channel != null) {
            channel.close();
            return;
        }
        worker.channel = channel;
        if (stopping) {
            worker.send(Message.of(Message.Kind.RETIRE, id, ""));
        } else if (worker == candidate) {
            give(worker);
        } else if (active == null) {
            active = worker;
            give(worker);
        } // else: a standby, given the descriptor when the active worker dies
    }

    private void give(Worker worker) {
        worker.send(Message.take(worker.id, !initAnswered, init, device.fd()));
        worker.holdsDescriptor = true;
    }

    private void serving(int id) {
        Worker worker = workers.get(id);
        if (worker == null) return;
        worker.serving = true;
        initAnswered = true;
        failuresInARow = 0;
        if (worker == candidate) {
            Worker old = active;
            active = worker;
            candidate = null;
            jar = worker.jar; // from now on, a restart runs the new version
            if (old != null) old.send(Message.of(Message.Kind.RETIRE, old.id, ""));
            for (Worker other : List.copyOf(workers.values())) {
                if (other != worker && other != old && !other.holdsDescriptor) other.process.destroy(); // old jar
            }
            String done = worker + " serves " + target + (old == null ? "" : ", " + old + " retires");
            LOG.info("upgrade: " + done);
            answerUpgrade(Message.Kind.DONE, done);
        }
        ensureStandby();
    }

    private void exited(Worker worker) {
        workers.remove(worker.id);
        if (worker.channel != null) worker.channel.close();
        int status = worker.process.exitValue();
        // Its unanswered requests go to the next worker, unless the kernel ended the connection (the holder stops).
        if (worker.holdsDescriptor && !stopping && !stopIfConnectionEnded()) resend();
        if (!worker.serving) failuresInARow++;
        if (worker == candidate) {
            candidate = null;
            answerUpgrade(Message.Kind.FAILED, "the new " + worker + " exited with status " + status
                    + " before serving; " + (active == null ? "none" : active) + " goes on serving");
        }
        if (worker == active) {
            active = null;
            if (!stopping) {
                LOG.warning(worker + " exited with status " + status + "; handing " + target + " to another");
            }
        }
        if (!stopping && active == null && candidate == null) replaceActive();
    }

    /**
     * Stops the holder if the kernel has ended the mount's connection (no worker could serve it again, so none is
     * started or sent a resend); whether it did. Unmounted from outside (umount, fusermount -u) is a stop, status 0;
     * aborted (through /sys/fs/fuse/connections), the mount is left dead, so the holder clears it and exits 1 for a
     * restart.
     */
    private boolean stopIfConnectionEnded() {
        try {
            if (!FuseDevice.connectionEnded(device.fd())) return false;
        } catch (IOException e) {
            LOG.warning("cannot poll /dev/fuse of " + target + ": " + e.getMessage());
            return false;
        }
        if (ourMount().isPresent()) {
            exitStatus = 1;
            LOG.severe("the kernel aborted the FUSE connection of " + target + ": its mount is dead; clearing it and"
                    + " exiting with status 1 (a restart mounts it again)");
        } else {
            LOG.info(target + " was unmounted from outside");
        }
        stop("connection ended");
        return true;
    }

    /** The next worker: a standby that is ready, else a new one (after a pause when workers keep failing). */
    private void replaceActive() {
        for (Worker spare : workers.values()) {
            if (spare.channel != null && !spare.holdsDescriptor) {
                active = spare;
                give(spare);
                ensureStandby();
                return;
            }
        }
        if (workers.values().stream().anyMatch(w -> !w.holdsDescriptor)) return; // one is starting: hello() gives it
        long pause = failuresInARow <= 1 ? 0 : Math.min(5000, 100L << Math.min(failuresInARow, 6));
        if (pause == 0) spawn(jar);
        else timers.schedule(() -> post(() -> {
            if (!stopping && active == null && workers.isEmpty()) spawn(jar);
        }), pause, TimeUnit.MILLISECONDS);
    }

    private void ensureStandby() {
        if (!standby || stopping) return;
        if (workers.values().stream().anyMatch(w -> !w.holdsDescriptor && w != candidate)) return;
        spawn(jar);
    }

    /** Starts a worker from {@code newJar} (null: the current jar, re-read) and hands over to it once it serves. */
    private void upgrade(Path newJar, FdChannel client) {
        if (stopping || candidate != null) {
            reply(client, Message.Kind.FAILED, stopping ? "the daemon is stopping" : "an upgrade is under way");
            return;
        }
        Path from = newJar == null ? jar : newJar.toAbsolutePath();
        if (!Files.isRegularFile(from)) {
            reply(client, Message.Kind.FAILED, from + " is not a file");
            return;
        }
        Worker worker = spawn(from);
        if (worker == null) {
            reply(client, Message.Kind.FAILED, "cannot start a worker from " + from);
            return;
        }
        LOG.info("upgrade: starting " + worker + " from " + from);
        candidate = worker;
        upgradeClient = client;
        timers.schedule(() -> post(() -> {
            if (candidate == worker) {
                LOG.warning("upgrade: " + worker + " did not serve in " + UPGRADE_TIMEOUT_SECONDS + " s; stopping it");
                worker.process.destroyForcibly();
            }
        }), UPGRADE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void answerUpgrade(Message.Kind kind, String text) {
        if (kind == Message.Kind.FAILED) LOG.warning("upgrade failed: " + text);
        reply(upgradeClient, kind, text);
        upgradeClient = null;
    }

    private static void reply(FdChannel client, Message.Kind kind, String text) {
        if (client == null) {
            if (kind == Message.Kind.FAILED) LOG.warning(text);
            return;
        }
        try {
            Message.of(kind, 0, text).sendOn(client);
        } catch (IOException e) {
            LOG.fine("upgrade client gone: " + e.getMessage());
        } finally {
            client.close();
        }
    }

    private void stop(String reason) {
        if (stopping) return;
        stopping = true;
        LOG.info(reason + ": stopping " + target);
        if (candidate != null) answerUpgrade(Message.Kind.FAILED, "the daemon is stopping");
        for (Worker worker : workers.values()) {
            if (worker == active && worker.channel != null) {
                worker.send(Message.of(Message.Kind.STOP, worker.id, ""));
                timers.schedule(() -> worker.process.destroyForcibly(), STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } else {
                worker.process.destroy();
            }
        }
    }

    private void resend() {
        try {
            FuseDevice.resend(device.fd());
        } catch (io.proclens.sys.CallFailed e) {
            if (!resendRefused) {
                LOG.warning("the kernel refused FUSE_NOTIFY_RESEND (" + e.getMessage() + "; Linux before 6.9):"
                        + " requests a dead worker had read stay unanswered until their reader is killed");
            }
            resendRefused = true;
        } catch (IOException e) {
            LOG.warning("FUSE_NOTIFY_RESEND: " + e.getMessage());
        }
    }

    /** When the last worker could not unmount (it was killed), the holder does; then closes its descriptor. */
    private void unmountIfStillOurs() {
        if (ourMount().isPresent()) {
            try (Arena arena = Arena.ofConfined()) {
                LibFuse.umount2(arena.allocateFrom(target.toString()), LibFuse.MNT_DETACH());
            }
        }
        device.close(); // the last descriptor: the kernel aborts the connection and bind mounts see ENOTCONN
    }

    /** The mount of this connection at the target, if it is still there. */
    private Optional<MountEntry> ourMount() {
        try {
            return MountTable.read(Path.of("/proc/self/mountinfo")).at(target)
                    .filter(mount -> mount.fsType().equals("fuse.proclens") && mount.minor() == device.connectionId());
        } catch (IOException e) {
            LOG.warning("cannot read /proc/self/mountinfo: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** How a worker is started: this JVM's command line, with the jar and the serving options. */
    public record WorkerCommand(List<String> java, Path jar, List<String> serveOptions, Path target) {
        List<String> forWorker(Path from, int id, Path socket) {
            List<String> cmd = new ArrayList<>();
            for (String option : java) {
                // A JDK AOT cache is made for one jar: the JVM would warn and ignore it with another.
                if (option.startsWith("-XX:AOTCache=") && !from.equals(jar)) continue;
                cmd.add(option);
            }
            cmd.addAll(List.of("-jar", from.toString(), "serve", "--worker", Integer.toString(id), "--holder",
                    socket.toString()));
            cmd.addAll(serveOptions);
            cmd.add(target.toString());
            return cmd;
        }

        /** This JVM's java and options, found in its own command line; the jar it runs from. */
        public static WorkerCommand ofThisJvm(List<String> serveOptions, Path target) {
            ProcessHandle.Info self = ProcessHandle.current().info();
            List<String> java = new ArrayList<>(List.of(self.command().orElseThrow()));
            String[] args = self.arguments().orElseThrow();
            int jarAt = List.of(args).indexOf("-jar");
            Path jar;
            if (jarAt >= 0) {
                java.addAll(List.of(args).subList(0, jarAt));
                jar = Path.of(args[jarAt + 1]).toAbsolutePath();
            } else {
                // Run from classes (tests): the code source of this class is the jar or directory.
                try {
                    jar = Path.of(Supervisor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
                java.add("--enable-native-access=ALL-UNNAMED");
            }
            return new WorkerCommand(java, jar, serveOptions, target);
        }
    }
}
