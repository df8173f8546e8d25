package io.proclens.render;

import io.proclens.cache.ConcurrentMonotonicCounters;
import io.proclens.cgroup.Cgroup;
import io.proclens.view.StatView;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The highest value each cgroup's /proc/stat fields were shown with, so that no field goes down between reads (see
 * {@link StatView}). A cgroup is known by its instance: the inode number of its CPU accounting directory, which
 * cgroupfs never hands out again, so a cgroup made again at a removed one's path (a restarted container) starts
 * afresh, and the keys stay short ("#4711", where a cgroup's key is hundreds of characters). Each instance has one
 * row of longs, field f of shown line l (0 the cpu line, k cpu(k-1)) at {@code l * FIELD_COUNT + f}: 8 bytes a
 * field, rows rounded up to a power of two (so under twice the (CPUs + 1) x 10 fields in use), no allocation per
 * field.
 *
 * <p>Bounded twice. The floors of removed cgroups are forgotten within {@link #SWEEP_NANOS}: the renders check
 * now and then whether each instance's directory still has its inode. And at most a capacity of fields is kept,
 * the least recently used cgroups forgotten first: containers come and go all day, and the floors of those long
 * gone must not grow the heap.
 *
 * <p>Thread-safe: the counters are lock-free but for a row's insert, growth and removal (the map's bin lock); the
 * instance map is concurrent; one render at a time sweeps.
 */
final class StatFloors {
    /**
     * Fields (longs) kept at most, 16 MiB: a cgroup's row is (CPUs + 1) x 10 rounded up to a power of two, 1024 on a
     * 64-CPU host (2 048 cgroups), 32 on 2 CPUs (65 536 cgroups).
     */
    static final int CAPACITY = 1 << 21;
    static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ConcurrentMonotonicCounters floors;
    /** The instances with floors, each with its directory, to tell when it is gone. */
    private final Map<Long, Path> instances = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final AtomicLong lastSweep;

    StatFloors() {
        this(CAPACITY, System::nanoTime);
    }

    StatFloors(int capacity, LongSupplier clock) {
        this.floors = new ConcurrentMonotonicCounters(capacity);
        this.clock = clock;
        this.lastSweep = new AtomicLong(clock.getAsLong());
    }

    /** The floor for one render of {@code cgroup}'s stat. */
    StatView.Floor of(Cgroup cgroup) {
        sweepIfDue();
        Optional<Cgroup.Location> accounting = cgroup.cpuacct();
        long instance = accounting.map(at -> inode(at.dir())).orElse(-1L);
        String key;
        if (instance >= 0) {
            instances.putIfAbsent(instance, accounting.get().dir());
            key = key(instance);
        } else {
            key = cgroup.key(); // not told apart from a later cgroup at its path: the eviction bounds it
        }
        return (line, field, value) -> floors.advance(key, line * StatView.FIELD_COUNT + field, value);
    }

    /** Fields kept now (the rows' lengths, what the capacity bounds); for diagnostics. */
    int size() {
        return (int) Math.min(Integer.MAX_VALUE, floors.counters());
    }

    /** Cgroups with floors now (rows); for diagnostics and tests. */
    int rows() {
        return floors.size();
    }

    /** Instances with floors now; for diagnostics and tests. */
    int instances() {
        return instances.size();
    }

    /** Forgets the floors of every instance whose directory is gone or is another cgroup's now. */
    void sweepIfDue() {
        long now = clock.getAsLong();
        long last = lastSweep.get();
        if (now - last < SWEEP_NANOS || !lastSweep.compareAndSet(last, now)) return;
        Set<String> gone = new HashSet<>();
        for (Map.Entry<Long, Path> entry : instances.entrySet()) {
            if (inode(entry.getValue()) != entry.getKey() && instances.remove(entry.getKey(), entry.getValue())) {
                gone.add(key(entry.getKey()));
            }
        }
        if (gone.isEmpty()) return;
        floors.forget(gone::contains);
    }

    /** The row of an instance; no cgroup key starts with '#' (they are "controller=dir" lines). */
    private static String key(long instance) {
        return "#" + instance;
    }

    /** The directory's inode number, or -1 when it is gone (or unreadable). */
    private static long inode(Path dir) {
        try {
            return (Long) Files.getAttribute(dir, "unix:ino");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
