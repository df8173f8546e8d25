package io.proclens.render;

import io.proclens.cgroup.Caller;
import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.CgroupLayout;
import io.proclens.sys.Pidfds;
import io.proclens.cgroup.Processes;
import io.proclens.fs.VirtualFile;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * A calling pid to its {@link Caller} and {@link Cgroup}, cached for a short time.
 *
 * <p>Safe against pid reuse: an entry is used only while the pid's process still has the start time it had when
 * the entry was made (one read of /proc/PID/stat), so a new process with a recycled pid (pid_max can be as low as
 * 32768) is resolved afresh and never gets another container's cgroup. Start times count 10 ms clock ticks, so two
 * processes can share one: a resolution is kept only once the tick its process started in is over (two ticks of
 * margin), so no later process with the same pid can have the same start time. A process that moves to another
 * cgroup is seen there after at most the time to live.
 *
 * <p>Where the kernel has pidfds, a kept resolution also holds a descriptor of its process ({@link Pidfds}), and a hit
 * asks that instead of the start time: one system call, not three and a path walk. The descriptor is closed only once
 * its resolution is unreachable (a {@link Cleaner}), so a thread still checking an evicted resolution never asks a
 * descriptor number that was closed and reused for another process.
 *
 * <p>Direct-mapped by pid (one slot per pid modulo the capacity, a later pid replaces an earlier one), so a hit
 * allocates nothing: no boxed key, no map node. Thread-safe: slots hold immutable resolutions, read and replaced
 * with volatile accesses; two threads resolving the same pid at once both resolve, and either result is right.
 *
 * <p>Bounded in memory, not only in slots: every miss also clears the expired resolutions of the next
 * {@link #SWEEP} slots (a cursor goes round the table), so resolutions of exited processes do not pile up until
 * their slot is reused: at 1-2 KB each, a busy node's exited processes would otherwise outgrow the worker's heap.
 */
public final class Callers {
    /** One pid's resolution, valid for the process that started at {@code startTicks} until {@code expiresNanos}. */
    public static final class Resolved {
        private final int pid;
        private final long startTicks;
        private final Caller caller;
        private final Cgroup cgroup;
        private final long expiresNanos;
        /**
         * The renderer's snapshot key per file for this caller, made on first use. Racy on purpose: keys are
         * immutable records, so a thread sees either none (and makes an equal one) or a whole one.
         */
        final CgroupRenderer.SnapshotKey[] snapshotKeys = new CgroupRenderer.SnapshotKey[VirtualFile.values().length];

        /** A descriptor of the process (-1: none, the start time is checked), closed by the cleaner. */
        private final int pidfd;

        Resolved(int pid, long startTicks, Caller caller, Cgroup cgroup, long expiresNanos) {
            this(pid, startTicks, caller, cgroup, expiresNanos, -1);
        }

        private Resolved(int pid, long startTicks, Caller caller, Cgroup cgroup, long expiresNanos, int pidfd) {
            this.pidfd = pidfd;
            this.pid = pid;
            this.startTicks = startTicks;
            this.caller = caller;
            this.cgroup = cgroup;
            this.expiresNanos = expiresNanos;
        }

        public int pid() {
            return pid;
        }

        public long startTicks() {
            return startTicks;
        }

        public Caller caller() {
            return caller;
        }

        public Cgroup cgroup() {
            return cgroup;
        }

        public long expiresNanos() {
            return expiresNanos;
        }
    }

    /** Closes the descriptors of resolutions nobody can reach any more. */
    private static final Cleaner CLEANER = Cleaner.create(
            r -> Thread.ofPlatform().daemon().name("pidfd-cleaner").unstarted(r));

    private final Processes processes;
    private final Pidfds pidfds;
    private final CgroupLayout layout;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final LongSupplier ticksNow;
    private final AtomicReferenceArray<Resolved> byPid;
    /** How many slots each miss sweeps: the whole table every capacity / SWEEP misses. */
    static final int SWEEP = 16;
    /** Where the next sweep starts; racy on purpose: two misses sweeping the same slots is harmless. */
    private int sweepCursor;

    /**
     * @param ttlNanos how long a resolution is kept (0: never kept)
     * @param capacity how many pids are kept at most; rounded up to a power of two
     * @param ticksNow now in the clock ticks since boot that start times count, never ahead of the kernel's
     */
    public Callers(Processes processes, CgroupLayout layout, long ttlNanos, int capacity, LongSupplier nanoClock,
                   LongSupplier ticksNow) {
        this(processes, new Pidfds(0), layout, ttlNanos, capacity, nanoClock, ticksNow);
    }

    /** @param pidfds where kept resolutions get a descriptor of their process (its budget 0: none do) */
    public Callers(Processes processes, Pidfds pidfds, CgroupLayout layout, long ttlNanos, int capacity,
                   LongSupplier nanoClock, LongSupplier ticksNow) {
        if (capacity < 1 || capacity > 1 << 24) throw new IllegalArgumentException("capacity out of range: " + capacity);
        this.processes = processes;
        this.pidfds = pidfds;
        this.layout = layout;
        this.ttlNanos = ttlNanos;
        this.nanoClock = nanoClock;
        this.ticksNow = ticksNow;
        int slots = 1;
        while (slots < capacity) slots <<= 1;
        this.byPid = new AtomicReferenceArray<>(slots);
    }

    /** @throws RuntimeException the {@link Processes} and {@link CgroupLayout} exceptions, when not resolvable */
    public Resolved resolve(int pid) {
        long now = nanoClock.getAsLong();
        int slot = pid & (byPid.length() - 1);
        Resolved cached = byPid.get(slot);
        if (cached != null && cached.pid == pid && now - cached.expiresNanos < 0 && stillThere(cached)) {
            return cached;
        }
        long start = processes.startTicks(pid);
        // Opened between the two reads of the start time: when they agree, it is a descriptor of that process.
        int pidfd = ttlNanos > 0 ? pidfds.open(pid) : -1;
        Caller caller;
        Cgroup cgroup;
        try {
            caller = processes.caller(pid);
            cgroup = layout.cgroupOf(caller.cgroupText());
        } catch (RuntimeException e) {
            if (pidfd >= 0) pidfds.close(pidfd);
            throw e;
        }
        // Read the start again: if the pid was reused while we resolved it, this resolution may be the old
        // process's or the new one's; keep it uncached then. Nor while another process could still start in the
        // same tick with the same pid (IsolationIT reused one pid across 20 cgroups within a tick).
        if (ttlNanos > 0 && processes.startTicks(pid) == start && ticksNow.getAsLong() - start >= 2) {
            Resolved kept = new Resolved(pid, start, caller, cgroup, now + ttlNanos, pidfd);
            if (pidfd >= 0) CLEANER.register(kept, new Closer(pidfds, pidfd));
            byPid.set(slot, kept);
            sweepExpired(now);
            return kept;
        }
        if (pidfd >= 0) pidfds.close(pidfd);
        sweepExpired(now);
        return new Resolved(pid, start, caller, cgroup, now + ttlNanos);
    }

    /** Whether the process a kept resolution was made for still has its pid. */
    private boolean stillThere(Resolved kept) {
        if (kept.pidfd < 0) return processes.startTicks(kept.pid) == kept.startTicks;
        boolean alive = pidfds.alive(kept.pidfd);
        Reference.reachabilityFence(kept); // its descriptor stays open until after the call
        return alive;
    }

    /** Closes one resolution's descriptor; holds no reference to the resolution, or it would never be unreachable. */
    private record Closer(Pidfds pidfds, int pidfd) implements Runnable {
        @Override
        public void run() {
            pidfds.close(pidfd);
        }
    }

    /** Clears the expired resolutions among the next {@link #SWEEP} slots. */
    private void sweepExpired(long now) {
        int mask = byPid.length() - 1;
        int from = sweepCursor;
        sweepCursor = (from + SWEEP) & mask;
        for (int i = 0; i < SWEEP && i <= mask; i++) {
            int slot = (from + i) & mask;
            Resolved kept = byPid.get(slot);
            if (kept != null && now - kept.expiresNanos >= 0) byPid.compareAndSet(slot, kept, null);
        }
    }

    /** How many pids are kept now (expired ones too, until swept or replaced). */
    int size() {
        int kept = 0;
        for (int i = 0; i < byPid.length(); i++) {
            if (byPid.get(i) != null) kept++;
        }
        return kept;
    }
}
