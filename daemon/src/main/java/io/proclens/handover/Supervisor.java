package io.proclens.handover;

import io.proclens.sys.FdChannel;
import io.proclens.mounts.RunFiles;
import io.proclens.fuse.FuseSession;
import io.proclens.fuse.InitRequest;
import io.proclens.mounts.Mountpoint;
import io.proclens.sys.Posix;
import io.proclens.sys.SharedMemory;
import io.proclens.sysinfo.RuntimeSocket;
import sun.misc.Signal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>This is the shell: processes, sockets, signals, timers. What to do on each event is {@link HolderState}'s
 * decision. Both are confined to one thread, which runs the events (connections, messages, exits, signals,
 * timers) one at a time; other threads only post events. Workers are started from that long-lived thread too.
 */
public final class Supervisor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Supervisor.class.getName());

    private final Path target;
    private FuseSession.Device device; // set by hold(): the first worker starts before the mount exists
    private byte[] init;
    private final WorkerCommand command;
    private final FdChannel.Listener listener;
    private final HolderState state;
    private final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("holder-timer").unstarted(r));
    // The I/O side of each worker the state knows: its process and its channel. Event thread only.
    private final Map<Integer, Process> processes = new HashMap<>();
    private final Map<Integer, FdChannel> channels = new HashMap<>();
    private final Map<Long, FdChannel> upgradeClients = new HashMap<>();
    private long nextClient = 1;
    private boolean resendRefused;
    // sysinfo(2): containers' seccomp listeners are kept here, as /dev/fuse is, and lent to one worker's agent at a
    // time (two receivers would block each other). Event thread only.
    private RuntimeSocket runtimeSocket;
    private final Map<Long, Integer> seccompListeners = new LinkedHashMap<>();
    private final Map<Long, String> containers = new HashMap<>();
    private long nextListener;
    private final Set<Integer> servingWorkers = new LinkedHashSet<>();
    private int sysinfoWorker = -1;
    private int sysinfoSlot = -1; // the memfd of its agent's in-flight slot
    private final List<Integer> deadSlots = new ArrayList<>(); // of agents that died: the next one recovers from them

    private Supervisor(Path target, WorkerCommand command, boolean standby, FdChannel.Listener listener) {
        this.target = target;
        this.command = command;
        this.listener = listener;
        this.state = new HolderState(target.toString(), command.jar(), standby);
    }

    /**
     * Binds the hand-over socket and starts the first worker, so that its JVM boots while the caller mounts (the
     * two starts one after the other were most of the time to the first served read). Then {@link #hold}, or
     * {@link #close} when the mount failed.
     */
    public static Supervisor start(Path target, WorkerCommand command, boolean standby) throws IOException {
        FdChannel.Listener listener = FdChannel.Listener.bind(RunFiles.holderSocket(target));
        Supervisor supervisor = new Supervisor(target, command, standby, listener);
        Thread.ofPlatform().daemon().name("holder-accept").start(supervisor::acceptLoop);
        supervisor.openRuntimeSocket();
        supervisor.act(supervisor.state.start()); // its hello waits in the event queue until hold() runs it
        return supervisor;
    }

    /**
     * Holds {@code device} (freshly mounted: its FUSE_INIT is still unread) and keeps a worker serving it until
     * SIGTERM or SIGINT; SIGHUP upgrades to the jar's current contents. Returns the exit status.
     */
    public int hold(FuseSession.Device device) throws IOException, InterruptedException {
        byte[] first = FuseDevice.readInit(device.fd());
        if (first.length < InitRequest.MIN_LENGTH || InitRequest.opcode(first) != InitRequest.FUSE_INIT) {
            throw new IOException("the first request on the new mount is not FUSE_INIT (opcode "
                    + (first.length >= 8 ? InitRequest.opcode(first) : -1) + ")");
        }
        int version = InitRequest.version(first);
        LOG.info("holding /dev/fuse of " + target + " (FUSE " + (version >> 16) + "." + (version & 0xffff)
                + " offered by the kernel, pid " + ProcessHandle.current().pid() + ")");
        this.device = device;
        this.init = first;
        return loop();
    }

    /** Ends what {@link #start} began: the workers it started (when the mount failed) and the sockets. */
    @Override
    public void close() {
        for (Process process : processes.values()) process.destroyForcibly();
        try {
            if (runtimeSocket != null) runtimeSocket.close();
        } catch (IOException e) {
            LOG.fine("runtime socket: " + e.getMessage());
        }
        try {
            listener.close();
        } catch (IOException e) {
            LOG.fine("hand-over socket: " + e.getMessage());
        }
    }

    private int loop() throws InterruptedException {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), s -> post(() -> act(state.stop("SIG" + s.getName()))));
        }
        Signal.handle(new Signal("HUP"), s -> post(() -> act(state.upgrade(null, 0))));
        if (sighupIgnored()) {
            LOG.warning("SIGHUP is ignored in this process (started under nohup?): the JVM keeps it so, and `kill -HUP`"
                    + " will not upgrade; use `proclens upgrade`");
        }
        while (!state.finished()) {
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
        return state.exitStatus();
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
                post(() -> {
                    long client = nextClient++;
                    upgradeClients.put(client, channel);
                    act(state.upgrade(jarText.isEmpty() ? null : Path.of(jarText), client));
                });
                return; // the answer comes when the upgrade has ended
            }
            if (first.kind() != Message.Kind.HELLO) {
                channel.close();
                return;
            }
            int worker = first.worker();
            post(() -> {
                List<HolderState.Action> actions = state.hello(worker);
                if (actions.contains(new HolderState.Reject(worker))) {
                    channel.close();
                    return;
                }
                channels.put(worker, channel);
                act(actions);
            });
            for (Message message; (message = Message.receiveFrom(channel)) != null; ) {
                if (message.kind() == Message.Kind.SERVING) {
                    int id = message.worker();
                    post(() -> {
                        act(state.serving(id));
                        servingWorkers.add(id);
                        lendListeners();
                    });
                } else if (message.kind() == Message.Kind.CLOSED) {
                    long key = message.key();
                    post(() -> listenerClosed(key));
                }
            }
        } catch (IOException e) {
            LOG.fine("hand-over connection: " + e.getMessage());
        }
    }

    // ---- carrying out the state's actions (on the event thread) ----

    private void act(List<HolderState.Action> actions) {
        for (HolderState.Action action : actions) {
            switch (action) {
                case HolderState.Spawn spawn -> spawn(spawn);
                case HolderState.Reject reject -> { } // the hello's channel: closed where it arrived
                case HolderState.Give give -> send(give.worker(), Message.take(give.worker(), give.answerInit(), init, device.fd()));
                case HolderState.Tell tell -> send(tell.worker(), Message.of(tell.kind(), tell.worker(), ""));
                case HolderState.Kill kill -> {
                    Process process = processes.get(kill.worker());
                    if (process != null && kill.forcibly()) process.destroyForcibly();
                    else if (process != null) process.destroy();
                }
                case HolderState.Resend ignored -> resend();
                case HolderState.Reply reply -> reply(upgradeClients.remove(reply.client()), reply.kind(), reply.text());
                case HolderState.Later later -> timers.schedule(() -> post(() -> act(state.timer(later.timer()))),
                        later.millis(), TimeUnit.MILLISECONDS);
                case HolderState.Log log -> LOG.log(log.level(), log.text());
            }
        }
    }

    private void spawn(HolderState.Spawn spawn) {
        int id = spawn.worker();
        if (spawn.upgrade() && !Files.isRegularFile(spawn.jar())) {
            post(() -> act(state.startFailed(id, spawn.jar() + " is not a file")));
            return;
        }
        List<String> cmd = command.forWorker(spawn.jar(), id, listener.path());
        try {
            Process process = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            processes.put(id, process);
            state.started(id, process.pid());
            process.onExit().thenRun(() -> post(() -> exited(id, process)));
        } catch (IOException e) {
            post(() -> act(state.startFailed(id, "cannot start a worker from " + spawn.jar() + ": " + e.getMessage())));
        }
    }

    private void exited(int id, Process process) {
        processes.remove(id);
        if (process.exitValue() == 128 + 6) { // SIGABRT: how a JVM ends after a fatal error
            LOG.severe("worker " + id + " (pid " + process.pid() + ") crashed; its JVM's crash report: "
                    + command.crashReport(process.pid()));
        }
        FdChannel channel = channels.remove(id);
        if (channel != null) channel.close();
        servingWorkers.remove(id);
        if (id == sysinfoWorker) {
            sysinfoWorker = -1;
            deadSlots.add(sysinfoSlot);
            sysinfoSlot = -1;
        }
        act(state.exited(id, process.exitValue(), connection()));
        lendListeners();
    }

    // ---- sysinfo(2): the seccomp listeners ----

    /** Where runtimes hand over containers' listeners; without it the mount is served all the same. */
    private void openRuntimeSocket() {
        try {
            runtimeSocket = RuntimeSocket.open(RunFiles.seccompSocket(target),
                    (fd, container) -> post(() -> listenerReceived(fd, container)));
            LOG.info("sysinfo(2): containers' seccomp listeners are taken at " + runtimeSocket.path());
        } catch (IOException e) {
            LOG.warning("sysinfo(2) is not served: " + e.getMessage());
        }
    }

    private void listenerReceived(int fd, String container) {
        long key = ++nextListener;
        seccompListeners.put(key, fd);
        containers.put(key, container);
        if (sysinfoWorker >= 0) send(sysinfoWorker, Message.listener(sysinfoWorker, key, container, fd));
    }

    private void listenerClosed(long key) {
        Integer fd = seccompListeners.remove(key);
        containers.remove(key);
        if (fd != null) Posix.close(fd);
    }

    /**
     * Lends every listener to the newest serving worker when no worker has them (at the start, after the one that
     * had them died or retired): a slot for its agent, the listeners, then the slots of dead agents to recover from.
     * Until then the containers' calls wait; none fails, since the listeners stay open here.
     */
    private void lendListeners() {
        if (sysinfoWorker >= 0 || servingWorkers.isEmpty() || runtimeSocket == null) return;
        int worker = servingWorkers.stream().mapToInt(Integer::intValue).max().orElseThrow();
        int slot;
        try {
            slot = SharedMemory.create("proclens-sysinfo-slot", 4096);
        } catch (io.proclens.sys.CallFailed e) {
            LOG.warning("sysinfo(2) agent slot: " + e.getMessage());
            return;
        }
        send(worker, new Message(Message.Kind.SLOT, worker, new byte[0], slot));
        seccompListeners.forEach((key, fd) -> send(worker, Message.listener(worker, key, containers.get(key), fd)));
        for (int dead : deadSlots) {
            send(worker, new Message(Message.Kind.RECOVER, worker, new byte[0], dead));
            Posix.close(dead);
        }
        deadSlots.clear();
        sysinfoWorker = worker;
        sysinfoSlot = slot;
    }

    private void send(int worker, Message message) {
        FdChannel channel = channels.get(worker);
        if (channel == null) return;
        try {
            message.sendOn(channel);
        } catch (IOException e) {
            LOG.warning("worker " + worker + ": " + e.getMessage());
        }
    }

    /**
     * What became of the mount's connection: ended by an unmount from outside (umount, fusermount -u), or aborted
     * (through /sys/fs/fuse/connections: the mount is still there, dead), or alive.
     */
    private HolderState.Connection connection() {
        try {
            if (!FuseDevice.connectionEnded(device.fd())) return HolderState.Connection.ALIVE;
        } catch (IOException e) {
            LOG.warning("cannot poll /dev/fuse of " + target + ": " + e.getMessage());
            return HolderState.Connection.ALIVE;
        }
        return Mountpoint.isOurs(target, device.connectionId()) ? HolderState.Connection.ABORTED
                : HolderState.Connection.UNMOUNTED;
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
        if (Mountpoint.isOurs(target, device.connectionId())) Mountpoint.detachTop(target);
        device.close(); // the last descriptor: the kernel aborts the connection and bind mounts see ENOTCONN
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

        /** Where worker {@code pid}'s JVM writes its crash report (-XX:ErrorFile, else the JVM's default). */
        String crashReport(long pid) {
            String pattern = null;
            for (String option : java) {
                if (option.startsWith(ERROR_FILE)) pattern = option.substring(ERROR_FILE.length());
            }
            if (pattern == null) {
                return "hs_err_pid" + pid + ".log in " + Path.of("").toAbsolutePath() + " (or /tmp)";
            }
            return pattern.replace("%p", Long.toString(pid)) + " (or /tmp/hs_err_pid" + pid + ".log)";
        }

        private static final String ERROR_FILE = "-XX:ErrorFile=";

        /**
         * The launcher gives the holder flags of its own (no JIT, a small heap) and the workers theirs, one per line in
         * this variable; without it (tests run from classes) workers get this JVM's options.
         */
        public static final String WORKER_JVM_OPTIONS = "PROCLENS_WORKER_JVM_OPTIONS";

        /** The java and options of workers (this JVM's command line, or the launcher's); the jar it runs from. */
        public static WorkerCommand ofThisJvm(List<String> serveOptions, Path target) {
            ProcessHandle.Info self = ProcessHandle.current().info();
            String[] args = self.arguments().orElseThrow();
            if (List.of(args).contains("-jar")) {
                return ofCommandLine(self.command().orElseThrow(), List.of(args), System.getenv(WORKER_JVM_OPTIONS),
                        serveOptions, target);
            }
            // Run from classes (tests): the code source of this class is the jar or directory.
            Path classes;
            try {
                classes = Path.of(Supervisor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException(e);
            }
            return new WorkerCommand(List.of(self.command().orElseThrow(), "--enable-native-access=ALL-UNNAMED"),
                    classes, serveOptions, target);
        }

        /** From a holder's {@code java -OPTIONS -jar JAR ...} and the launcher's worker options (null: none). */
        static WorkerCommand ofCommandLine(String javaCommand, List<String> args, String launcherOptions,
                                           List<String> serveOptions, Path target) {
            int jarAt = args.indexOf("-jar");
            List<String> own = args.subList(0, jarAt);
            List<String> java = new ArrayList<>(List.of(javaCommand));
            if (launcherOptions == null) {
                java.addAll(own);
            } else {
                launcherOptions.lines().filter(line -> !line.isBlank()).forEach(java::add);
                // A crash report goes where the holder's goes (mount's --log directory): a later flag wins.
                own.stream().filter(option -> option.startsWith(ERROR_FILE) && !java.contains(option))
                        .forEach(java::add);
            }
            return new WorkerCommand(java, Path.of(args.get(jarAt + 1)).toAbsolutePath(), serveOptions, target);
        }
    }
}
