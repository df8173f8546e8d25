package io.proclens.handover;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/**
 * The holder's decisions, without I/O: each event (a worker started, said hello, serves or exited; an upgrade or a
 * stop asked; a timer) changes the state and returns the actions for {@link Supervisor} to carry out, in order.
 * Confined to the holder's event thread.
 *
 * <p>The rules: one worker at a time is active and holds the descriptor; when it exits the kernel is asked to
 * resend what it had not answered and the descriptor goes to a waiting standby or a new worker (after a pause that
 * grows while workers keep failing before they serve). An upgrade's candidate becomes active once it serves, and the
 * old one retires. A stop tells the active worker to unmount; the holder ends when no worker is left. The kernel
 * ending the connection is a stop too, with status 1 when it aborted it (the mount is still there, dead).
 */
final class HolderState {
    static final long UPGRADE_TIMEOUT_MILLIS = 120_000;
    static final long STOP_TIMEOUT_MILLIS = 15_000;

    /** What became of the connection, seen when a worker that held the descriptor exits. */
    enum Connection { ALIVE, UNMOUNTED, ABORTED }

    /** Something the shell does. */
    sealed interface Action {
    }

    /** Start worker {@code worker} from {@code jar}; an upgrade's first checks that the jar is a file. */
    record Spawn(int worker, Path jar, boolean upgrade) implements Action {
    }

    /** Close the channel of a hello that is not wanted (an unknown worker, or a second hello). */
    record Reject(int worker) implements Action {
    }

    /** Send the descriptor and the connection's INIT to {@code worker}; whether it must answer the INIT. */
    record Give(int worker, boolean answerInit) implements Action {
    }

    /** Send {@code kind} (RETIRE or STOP) to {@code worker}. */
    record Tell(int worker, Message.Kind kind) implements Action {
    }

    /** End {@code worker}'s process: SIGTERM, or SIGKILL when {@code forcibly}. */
    record Kill(int worker, boolean forcibly) implements Action {
    }

    /** Ask the kernel to resend what a dead worker had read and not answered. */
    record Resend() implements Action {
    }

    /** Answer the upgrade client {@code client} (0: the upgrade came from SIGHUP, nobody to answer). */
    record Reply(long client, Message.Kind kind, String text) implements Action {
    }

    /** Call {@link #timer} with {@code timer} in {@code millis}. */
    record Later(long millis, Timer timer) implements Action {
    }

    record Log(Level level, String text) implements Action {
    }

    /** What a {@link Later} brings back. */
    sealed interface Timer {
    }

    record RestartDue() implements Timer {
    }

    record UpgradeDue(int worker) implements Timer {
    }

    record StopDue(int worker) implements Timer {
    }

    private static final class Worker {
        final int id;
        final Path jar;
        long pid = -1;
        boolean hello;
        boolean holdsDescriptor;
        boolean serving;

        Worker(int id, Path jar) {
            this.id = id;
            this.jar = jar;
        }

        @Override
        public String toString() {
            return "worker " + id + " (pid " + pid + ")";
        }
    }

    private final String target;
    private final boolean standby;
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();
    private Path jar;
    private int nextId = 1;
    private Worker active;        // holds the descriptor, and is the one to replace when it dies
    private Worker candidate;     // an upgrade's new worker, until it serves
    private long upgradeClient;   // who asked for the candidate (0: SIGHUP)
    private boolean initAnswered;
    private boolean stopping;
    private int failuresInARow;   // workers that exited before serving
    private int exitStatus;

    HolderState(String target, Path jar, boolean standby) {
        this.target = target;
        this.jar = jar;
        this.standby = standby;
    }

    // ---- events ----

    /** The holder starts: the first worker. */
    List<Action> start() {
        List<Action> actions = new ArrayList<>();
        spawn(jar, false, actions);
        return actions;
    }

    /** Worker {@code id}'s process runs, as {@code pid}. */
    void started(int id, long pid) {
        Worker worker = workers.get(id);
        if (worker != null) worker.pid = pid;
    }

    /** Worker {@code id}'s process could not be started. */
    List<Action> startFailed(int id, String reason) {
        List<Action> actions = new ArrayList<>();
        Worker worker = workers.remove(id);
        if (worker == null) return actions;
        actions.add(new Log(Level.SEVERE, "cannot start a worker: " + reason));
        if (worker == candidate) {
            candidate = null;
            answerUpgrade(Message.Kind.FAILED, reason, actions);
        }
        return actions;
    }

    /** Worker {@code id} connected and waits for the descriptor. */
    List<Action> hello(int id) {
        List<Action> actions = new ArrayList<>();
        Worker worker = workers.get(id);
        if (worker == null || worker.hello) {
            actions.add(new Reject(id));
            return actions;
        }
        worker.hello = true;
        if (stopping) {
            actions.add(new Tell(id, Message.Kind.RETIRE));
        } else if (worker == candidate) {
            give(worker, actions);
        } else if (active == null) {
            active = worker;
            give(worker, actions);
        } // else: a standby, given the descriptor when the active worker dies
        return actions;
    }

    /** Worker {@code id} serves: the INIT is answered; a candidate takes over. */
    List<Action> serving(int id) {
        List<Action> actions = new ArrayList<>();
        Worker worker = workers.get(id);
        if (worker == null) return actions;
        worker.serving = true;
        initAnswered = true;
        failuresInARow = 0;
        if (worker == candidate) {
            Worker old = active;
            active = worker;
            candidate = null;
            jar = worker.jar; // from now on, a restart runs the new version
            if (old != null) actions.add(new Tell(old.id, Message.Kind.RETIRE));
            for (Worker other : workers.values()) {
                if (other != worker && other != old && !other.holdsDescriptor) actions.add(new Kill(other.id, false));
            }
            String done = worker + " serves " + target + (old == null ? "" : ", " + old + " retires");
            actions.add(new Log(Level.INFO, "upgrade: " + done));
            answerUpgrade(Message.Kind.DONE, done, actions);
        }
        ensureStandby(actions);
        return actions;
    }

    /**
     * Worker {@code id} exited with {@code status}; {@code connection} is what became of the mount's connection
     * (looked at only for a worker that held the descriptor while the holder was not stopping).
     */
    List<Action> exited(int id, int status, Connection connection) {
        List<Action> actions = new ArrayList<>();
        Worker worker = workers.remove(id);
        if (worker == null) return actions;
        if (worker.holdsDescriptor && !stopping) {
            switch (connection) {
                case ALIVE -> actions.add(new Resend()); // its unanswered requests go to the next worker
                case UNMOUNTED -> {
                    actions.add(new Log(Level.INFO, target + " was unmounted from outside"));
                    stop("connection ended", actions);
                }
                case ABORTED -> {
                    exitStatus = 1;
                    actions.add(new Log(Level.SEVERE, "the kernel aborted the FUSE connection of " + target
                            + ": its mount is dead; clearing it and exiting with status 1 (a restart mounts it again)"));
                    stop("connection ended", actions);
                }
            }
        }
        if (!worker.serving) failuresInARow++;
        if (worker == candidate) {
            candidate = null;
            answerUpgrade(Message.Kind.FAILED, "the new " + worker + " " + howItEnded(status)
                    + " before serving; " + (active == null ? "none" : active) + " goes on serving", actions);
        }
        if (worker == active) {
            active = null;
            if (!stopping) {
                actions.add(new Log(Level.WARNING, worker + " " + howItEnded(status) + "; handing " + target
                        + " to another"));
            }
        } else if (worker != candidate && status != 0 && !stopping) { // one waiting for the descriptor, or a standby
            actions.add(new Log(Level.WARNING, worker + " " + howItEnded(status) + " before serving"));
        }
        if (!stopping && active == null && candidate == null) replaceActive(actions);
        return actions;
    }

    /**
     * A process's exit status as Java reports it (128 + the signal for a process killed by one) in words. SIGABRT is
     * how a JVM ends after a fatal error (a SIGSEGV in compiled or native code): it has written its crash report.
     */
    static String howItEnded(int status) {
        if (status <= 128 || status > 128 + 64) return "exited with status " + status;
        int signal = status - 128;
        String name = switch (signal) {
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
        String how = "was killed by " + name + (name.startsWith("SIG") ? " (" + signal + ")" : "");
        return signal == 6 ? how + ": its JVM crashed" : how;
    }

    /**
     * Start a worker from {@code newJar} (null: the current jar, read again) and hand over to it once it serves;
     * {@code client} is who asked (0: SIGHUP).
     */
    List<Action> upgrade(Path newJar, long client) {
        List<Action> actions = new ArrayList<>();
        if (stopping || candidate != null) {
            actions.add(new Reply(client, Message.Kind.FAILED,
                    stopping ? "the daemon is stopping" : "an upgrade is under way"));
            return actions;
        }
        Path from = newJar == null ? jar : newJar.toAbsolutePath();
        Worker worker = spawn(from, true, actions);
        actions.add(new Log(Level.INFO, "upgrade: starting worker " + worker.id + " from " + from));
        candidate = worker;
        upgradeClient = client;
        actions.add(new Later(UPGRADE_TIMEOUT_MILLIS, new UpgradeDue(worker.id)));
        return actions;
    }

    /** SIGTERM, SIGINT: the active worker unmounts, the others end. */
    List<Action> stop(String reason) {
        List<Action> actions = new ArrayList<>();
        stop(reason, actions);
        return actions;
    }

    List<Action> timer(Timer timer) {
        List<Action> actions = new ArrayList<>();
        switch (timer) {
            case RestartDue ignored -> {
                if (!stopping && active == null && workers.isEmpty()) spawn(jar, false, actions);
            }
            case UpgradeDue due -> {
                if (candidate != null && candidate.id == due.worker()) {
                    actions.add(new Log(Level.WARNING, "upgrade: " + candidate + " did not serve in "
                            + UPGRADE_TIMEOUT_MILLIS / 1000 + " s; stopping it"));
                    actions.add(new Kill(due.worker(), true));
                }
            }
            case StopDue due -> {
                if (workers.containsKey(due.worker())) actions.add(new Kill(due.worker(), true));
            }
        }
        return actions;
    }

    // ---- what the shell asks ----

    /** The holder is done: it stops and no worker is left. */
    boolean finished() {
        return stopping && workers.isEmpty();
    }

    int exitStatus() {
        return exitStatus;
    }

    // ---- rules ----

    private Worker spawn(Path from, boolean upgrade, List<Action> actions) {
        Worker worker = new Worker(nextId++, from);
        workers.put(worker.id, worker);
        actions.add(new Spawn(worker.id, from, upgrade));
        return worker;
    }

    private void give(Worker worker, List<Action> actions) {
        actions.add(new Give(worker.id, !initAnswered));
        worker.holdsDescriptor = true;
    }

    /** The next worker: a standby that is ready, else a new one (after a pause when workers keep failing). */
    private void replaceActive(List<Action> actions) {
        for (Worker spare : workers.values()) {
            if (spare.hello && !spare.holdsDescriptor) {
                active = spare;
                give(spare, actions);
                ensureStandby(actions);
                return;
            }
        }
        if (workers.values().stream().anyMatch(w -> !w.holdsDescriptor)) return; // one is starting: hello() gives it
        long pause = failuresInARow <= 1 ? 0 : Math.min(5000, 100L << Math.min(failuresInARow, 6));
        if (pause == 0) spawn(jar, false, actions);
        else actions.add(new Later(pause, new RestartDue()));
    }

    private void ensureStandby(List<Action> actions) {
        if (!standby || stopping) return;
        if (workers.values().stream().anyMatch(w -> !w.holdsDescriptor && w != candidate)) return;
        spawn(jar, false, actions);
    }

    private void answerUpgrade(Message.Kind kind, String text, List<Action> actions) {
        if (kind == Message.Kind.FAILED) actions.add(new Log(Level.WARNING, "upgrade failed: " + text));
        actions.add(new Reply(upgradeClient, kind, text));
        upgradeClient = 0;
    }

    private void stop(String reason, List<Action> actions) {
        if (stopping) return;
        stopping = true;
        actions.add(new Log(Level.INFO, reason + ": stopping " + target));
        if (candidate != null) answerUpgrade(Message.Kind.FAILED, "the daemon is stopping", actions);
        for (Worker worker : workers.values()) {
            if (worker == active && worker.hello) {
                actions.add(new Tell(worker.id, Message.Kind.STOP));
                actions.add(new Later(STOP_TIMEOUT_MILLIS, new StopDue(worker.id)));
            } else {
                actions.add(new Kill(worker.id, false));
            }
        }
    }
}
