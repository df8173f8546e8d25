package io.proclens.fs;

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
 * afresh, and the keys stay short ("#4711 cpu0 3", where a cgroup's key is hundreds of characters).
 *
 * <p>Bounded twice. The floors of removed cgroups are forgotten within {@link #SWEEP_NANOS}: the renders check
 * now and then whether each instance's directory still has its inode. And at most a capacity of fields is kept,
 * the least recently used forgotten first. The soak found the need: keyed by cgroup path and never pruned, the
 * floors of cgroups long gone grew the worker's heap by 2 MiB a minute.
 *
 * <p>Thread-safe: the counters are lock-free; the instance map is concurrent; one render at a time sweeps.
 */
final class StatFloors {
    /** Fields kept at most: about 160 bytes each, 10 MiB; (CPUs + 1) x 10 fields per cgroup. */
    static final int CAPACITY = 1 << 16;
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
        String prefix;
        if (instance >= 0) {
            instances.putIfAbsent(instance, accounting.get().dir());
            prefix = prefix(instance);
        } else {
            prefix = cgroup.key() + '\n'; // not told apart from a later cgroup at its path: the eviction bounds it
        }
        return (field, value) -> floors.advance(prefix + field, value);
    }

    /** Fields kept now; for diagnostics. */
    int size() {
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
                gone.add(prefix(entry.getKey()));
            }
        }
        if (gone.isEmpty()) return;
        floors.forget(key -> key.startsWith("#") && gone.contains(key.substring(0, key.indexOf(' ') + 1)));
    }

    private static String prefix(long instance) {
        return "#" + instance + " ";
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
