package io.proclens.fs;

import io.proclens.cgroup.Caller;
import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.CgroupLayout;
import io.proclens.cgroup.Processes;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A calling pid to its {@link Caller} and {@link Cgroup}, cached for a short time.
 *
 * <p>Safe against pid reuse: an entry is used only while the pid's process still has the start time it had when
 * the entry was made (one read of /proc/PID/stat), so a new process with a recycled pid (pid_max can be as low as
 * 32768) is resolved afresh and never gets another container's cgroup. A process that moves to another cgroup
 * is seen there after at most the time to live. Thread-safe: a concurrent map of immutable records; two threads
 * resolving the same pid at once both resolve, and either result is right.
 */
final class Callers {
    /** One pid's resolution, valid for the process that started at {@code startTicks} until {@code expiresNanos}. */
    record Resolved(long startTicks, Caller caller, Cgroup cgroup, long expiresNanos) {
    }

    private final Processes processes;
    private final CgroupLayout layout;
    private final long ttlNanos;
    private final int capacity;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<Integer, Resolved> byPid = new ConcurrentHashMap<>();

    Callers(Processes processes, CgroupLayout layout, long ttlNanos, int capacity, LongSupplier nanoClock) {
        this.processes = processes;
        this.layout = layout;
        this.ttlNanos = ttlNanos;
        this.capacity = capacity;
        this.nanoClock = nanoClock;
    }

    /** @throws RuntimeException the {@link Processes} and {@link CgroupLayout} exceptions, when not resolvable */
    Resolved resolve(int pid) {
        long now = nanoClock.getAsLong();
        Resolved cached = byPid.get(pid);
        if (cached != null && now - cached.expiresNanos() < 0 && processes.startTicks(pid) == cached.startTicks()) {
            return cached;
        }
        long start = processes.startTicks(pid);
        Caller caller = processes.caller(pid);
        // Read the start again: if the pid was reused while we resolved it, this resolution may be the old
        // process's or the new one's; keep it uncached then.
        Resolved fresh = new Resolved(start, caller, layout.cgroupOf(caller.cgroupText()), now + ttlNanos);
        if (ttlNanos > 0 && processes.startTicks(pid) == start) {
            if (byPid.size() >= capacity) byPid.values().removeIf(r -> now - r.expiresNanos() >= 0);
            if (byPid.size() < capacity) byPid.put(pid, fresh);
        }
        return fresh;
    }

    int size() {
        return byPid.size();
    }
}
