package io.proclens.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Counters that never go down, by key: {@link #advance} stores {@code max(previous, candidate)} and returns it.
 * A view uses it to print kernel-style counters that stay monotonic between reads even when the numbers they are
 * computed from are read at slightly different moments (the host's {@code /proc/stat} ticks and a cgroup's
 * nanosecond accounting) and their difference would step back.
 *
 * <p><b>Threading:</b> any number of threads may call any method at once. Lock-free: a
 * {@link ConcurrentHashMap} of cells, each a {@code long} changed only by compare-and-set, so two advances of one
 * key never lose either candidate. (Inserting a new key takes the map's own short per-bin lock, as every
 * {@code ConcurrentHashMap.putIfAbsent} does; no lock of ours is ever held.)
 *
 * <p><b>Memory ordering:</b> {@link #advance} is a volatile read-modify-write: a value it stores happens-before any
 * later {@code advance} or {@link #getAcquire} of the same key that returns it (release by the CAS, acquire by
 * the read), so a thread that sees a value also sees everything its writer did before storing it.
 *
 * <p><b>Bound:</b> at most about {@code capacity} keys. When an insert takes the map above it, that thread (one at
 * a time; the others go on) evicts the least recently used keys down to {@code capacity - capacity / 8}, so the
 * sort is paid once per {@code capacity / 8} inserts. Threads that insert while an eviction runs may leave the map
 * a few keys above the capacity until the next insert. An evicted key forgets its value: its next advance
 * starts again from its candidate, which may be lower. Keys touched recently are the last to go, so with a
 * capacity above the number of live keys only those of vanished cgroups are forgotten. An advance that races with
 * the eviction of its own key is never applied to the evicted cell and then lost: the evictor marks the cell dead
 * first, and an advance that finds it dead inserts a fresh cell.
 *
 * <p>Values are non-negative longs, as kernel counters are.
 */
public final class ConcurrentMonotonicCounters {

    /** What {@link #getAcquire} returns for a key that has no value. */
    public static final long ABSENT = -1;

    /** The value of a cell that has been evicted: it takes no more advances. */
    private static final long DEAD = Long.MIN_VALUE;

    private static final VarHandle VALUE;
    private static final VarHandle LAST_USED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            VALUE = lookup.findVarHandle(Cell.class, "value", long.class);
            LAST_USED = lookup.findVarHandle(Cell.class, "lastUsed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One key's value. {@code value} changes only by CAS (or the evictor's getAndSet to DEAD). */
    private static final class Cell {
        @SuppressWarnings("unused") // accessed through VALUE
        private long value;
        /** The clock at the last advance; opaque: only a hint for the eviction order. */
        @SuppressWarnings("unused") // accessed through LAST_USED
        private long lastUsed;

        Cell(long value, long now) {
            this.value = value;
            this.lastUsed = now;
        }
    }

    private final ConcurrentHashMap<String, Cell> cells = new ConcurrentHashMap<>();
    private final int capacity;
    private final LongSupplier clock;
    /** Held (true) by the one thread evicting; others skip eviction rather than wait. */
    private final AtomicBoolean evicting = new AtomicBoolean();

    /**
     * @param capacity the number of keys above which the least recently used are evicted, &ge; 1
     */
    public ConcurrentMonotonicCounters(int capacity) {
        this(capacity, System::nanoTime);
    }

    /** With a clock for the eviction order (tests pass a counter). */
    ConcurrentMonotonicCounters(int capacity, LongSupplier clock) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        this.capacity = capacity;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Raises the counter {@code key} to {@code candidate} if it is below, and returns the counter's value:
     * {@code max(previous, candidate)}, or {@code candidate} for a key with no value yet. Never returns less than
     * {@code candidate}, nor less than any value a call on the same key returned before (unless the key was evicted
     * in between). Volatile semantics, see the class comment.
     *
     * @param key       any string, e.g. a cgroup key, a CPU and a field
     * @param candidate the value computed now, &ge; 0
     * @throws IllegalArgumentException if candidate is negative
     */
    public long advance(String key, long candidate) {
        Objects.requireNonNull(key, "key");
        if (candidate < 0) throw new IllegalArgumentException("negative counter value for " + key + ": " + candidate);
        long now = clock.getAsLong();
        while (true) {
            Cell cell = cells.get(key);
            if (cell == null) {
                Cell fresh = new Cell(candidate, now);
                cell = cells.putIfAbsent(key, fresh);
                if (cell == null) {
                    evictIfOverCapacity();
                    return candidate;
                }
            }
            LAST_USED.setOpaque(cell, now);
            long seen = (long) VALUE.getAcquire(cell);
            while (seen != DEAD) {
                if (seen >= candidate) return seen;
                long witness = (long) VALUE.compareAndExchange(cell, seen, candidate);
                if (witness == seen) return candidate;
                seen = witness;
            }
            cells.remove(key, cell); // evicted under us: help remove it, then insert a fresh cell
        }
    }

    /**
     * The counter's value, or {@link #ABSENT}. An acquire read: pairs with the CAS of the {@link #advance} that
     * stored the value, so the caller sees what that thread did before it.
     */
    public long getAcquire(String key) {
        Cell cell = cells.get(key);
        if (cell == null) return ABSENT;
        long value = (long) VALUE.getAcquire(cell);
        return value == DEAD ? ABSENT : value;
    }

    /**
     * Forgets every key {@code which} accepts, as an eviction does: an advance racing with it either lands before
     * (and is forgotten with the key) or starts the key afresh from its candidate. For keys that name a thing that
     * is gone (a removed cgroup's fields), so that they do not wait for the least-recently-used eviction.
     *
     * @return how many keys were forgotten
     */
    public int forget(Predicate<String> which) {
        int forgotten = 0;
        for (Map.Entry<String, Cell> e : cells.entrySet()) {
            if (which.test(e.getKey()) && kill(e.getKey(), e.getValue())) forgotten++;
        }
        return forgotten;
    }

    /** The number of keys now (a moment's estimate while other threads insert or evict). */
    public int size() {
        return cells.size();
    }

    public int capacity() {
        return capacity;
    }

    // ---------------------------------------------------------------- eviction

    private void evictIfOverCapacity() {
        if (cells.size() <= capacity) return;
        if (!evicting.compareAndSet(false, true)) return; // another thread is at it
        try {
            evictLeastRecentlyUsed();
        } finally {
            evicting.set(false);
        }
    }

    private record Candidate(String key, Cell cell, long lastUsed) {
    }

    /** Evicts one cell: marked dead first, so that from then on no advance can land in it; whether it was removed. */
    private boolean kill(String key, Cell cell) {
        VALUE.getAndSet(cell, DEAD);
        return cells.remove(key, cell);
    }

    private void evictLeastRecentlyUsed() {
        List<Candidate> all = new ArrayList<>(cells.size() + 16);
        for (Map.Entry<String, Cell> e : cells.entrySet()) {
            all.add(new Candidate(e.getKey(), e.getValue(), (long) LAST_USED.getOpaque(e.getValue())));
        }
        int target = capacity - capacity / 8;
        int excess = all.size() - target;
        if (excess <= 0 || all.size() <= capacity) return;
        // oldest first; nanoTime may wrap, so compare by difference as System.nanoTime's contract asks
        all.sort((a, b) -> Long.compare(a.lastUsed() - b.lastUsed(), 0));
        for (int i = 0; i < excess; i++) {
            kill(all.get(i).key(), all.get(i).cell());
        }
    }
}
