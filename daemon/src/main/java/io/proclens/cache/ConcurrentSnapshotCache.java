package io.proclens.cache;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The latest rendered snapshot per key (a cgroup and a file) and its age, shared by all loop threads.
 *
 * <p>Threading contract: any number of readers and renderers at once. A reader never blocks: it takes the
 * current snapshot with a volatile read. When the snapshot is older than the time to live, one caller (the one
 * that wins a compare-and-set on the entry) renders a new one and publishes it with a volatile write; callers
 * that lose meanwhile go on with the older snapshot (at most one refresh old). Only a key's very first callers,
 * who have no snapshot yet, each render their own. A snapshot is immutable once published, so a published one
 * may be handed to any thread.
 *
 * <p>Bounded: entries not asked for during {@code idleNanos} are dropped (a deleted cgroup's entries stop being
 * asked for), by whichever caller first finds the last sweep older than that (a compare-and-set elects it, no
 * thread of its own); an insert beyond the capacity drops every entry at once.
 *
 * @param <K> the key type: immutable, with value equality
 * @param <V> the snapshot type: immutable
 */
public final class ConcurrentSnapshotCache<K, V> {
    /** One key's state. */
    static final class Entry<V> {
        volatile Snapshot<V> current;    // written by the refresher, read by everyone
        volatile long lastAskedNanos = Long.MIN_VALUE / 2; // written by readers: racy on purpose, only for eviction
        final AtomicBoolean refreshing = new AtomicBoolean();
    }

    /** A value and when it was rendered. */
    record Snapshot<V>(V value, long renderedNanos) {
    }

    /** How precisely "last asked" is kept: far finer than any idle time. */
    static final long ASKED_GRANULARITY_NANOS = 1_000_000;

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final int capacity;
    private final long idleNanos;
    private final java.util.concurrent.atomic.AtomicLong lastSweepNanos;
    /** Answers from a kept snapshot, and calls of a render function: for metrics, read with sum(). */
    private final LongAdder hits = new LongAdder();
    private final LongAdder renders = new LongAdder();

    public ConcurrentSnapshotCache(int capacity, long idleNanos, LongSupplier nanoClock) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be positive: " + capacity);
        if (idleNanos <= 0) throw new IllegalArgumentException("idle time must be positive: " + idleNanos);
        this.capacity = capacity;
        this.idleNanos = idleNanos;
        this.nanoClock = nanoClock;
        this.lastSweepNanos = new java.util.concurrent.atomic.AtomicLong(nanoClock.getAsLong());
    }

    /** Up to {@code capacity} entries; one not asked for in 30 s is dropped. */
    public ConcurrentSnapshotCache(int capacity) {
        this(capacity, 30_000_000_000L, System::nanoTime);
    }

    /**
     * The snapshot of {@code key} if it is younger than {@code ttlNanos}, else a fresh one from {@code render}
     * (rendered by this caller, or by another one while this caller takes the previous snapshot). A ttl of 0
     * renders on every call. An exception from {@code render} reaches only its caller; the entry keeps its
     * previous snapshot.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public V getOrRender(K key, long ttlNanos, Supplier<V> render) {
        return getOrRender(key, ttlNanos, render, (BiFunction<K, Supplier<V>, V>) (BiFunction) SUPPLIED);
    }

    private static final BiFunction<Object, Supplier<?>, Object> SUPPLIED = (key, render) -> render.get();

    /**
     * As {@link #getOrRender(Object, long, Supplier)}, rendering with {@code render.apply(key, context)}: with a
     * function that captures nothing, a hit allocates nothing.
     */
    public <C> V getOrRender(K key, long ttlNanos, C context, BiFunction<? super K, ? super C, ? extends V> render) {
        long now = nanoClock.getAsLong();
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            entry = entries.computeIfAbsent(key, k -> new Entry<>());
            if (entries.size() > capacity) sweep(0); // may drop ours too: we still hold and use it
        }
        // Before a sweep, so that ours is never the idle one; at most once a millisecond, so that loop threads
        // asking for the same entry do not fight over its cache line on every read.
        if (now - entry.lastAskedNanos >= ASKED_GRANULARITY_NANOS) entry.lastAskedNanos = now;
        long lastSweep = lastSweepNanos.get();
        if (now - lastSweep >= idleNanos && lastSweepNanos.compareAndSet(lastSweep, now)) sweep(idleNanos);
        Snapshot<V> current = entry.current;
        if (current != null && now - current.renderedNanos() < ttlNanos) {
            hits.increment();
            return current.value();
        }
        if (entry.refreshing.compareAndSet(false, true)) {
            try {
                renders.increment();
                V value = render.apply(key, context);
                entry.current = new Snapshot<>(value, now);
                return value;
            } finally {
                entry.refreshing.set(false);
            }
        }
        // someone else refreshes: never wait for them
        if (current != null) {
            hits.increment();
            return current.value();
        }
        renders.increment();
        return render.apply(key, context);
    }

    /** Drops the entries not asked for during the last {@code idleNanos} (all of them for 0); returns how many. */
    public int sweep(long idleNanos) {
        long now = nanoClock.getAsLong();
        int dropped = 0;
        for (Iterator<Map.Entry<K, Entry<V>>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue().lastAskedNanos >= idleNanos) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    public int size() {
        return entries.size();
    }

    /** Answers from a kept snapshot (a stale one too, while another caller renders its successor). */
    public long hits() {
        return hits.sum();
    }

    /** Snapshots rendered: the misses, including renders that then failed. */
    public long renders() {
        return renders.sum();
    }
}
