package io.proclens.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Rows of counters that never go down: {@link #advance} stores {@code max(previous, candidate)} in element
 * {@code index} of row {@code key} and returns it. A view uses it to print kernel-style counters that stay monotonic
 * between reads even when the numbers they are computed from are read at slightly different moments (the host's
 * {@code /proc/stat} ticks and a cgroup's nanosecond accounting) and their difference would step back. One row per
 * thing shown (a cgroup's stat), one element per number in it: 8 bytes a counter, no key per counter.
 *
 * <p><b>Threading:</b> any number of threads may call any method at once. An advance of an element its row already
 * has is lock-free: each element is a {@code long} changed only by compare-and-set, so two advances of one element
 * never lose either candidate. Inserting a row, growing it and removing it take {@link ConcurrentHashMap}'s own
 * short per-bin lock ({@code putIfAbsent}, {@code compute}); an advance that meets a row being grown or removed
 * waits for that lock. No lock of ours is ever held.
 *
 * <p><b>Growth:</b> a new row has {@code max(index + 1, 16)} elements rounded up to a power of two; an advance of
 * an index beyond its row's length replaces the row by a longer one inside {@code cells.compute(key, ...)}, that
 * is under the bin lock: every element of the old row is swapped to {@code DEAD} by getAndSet, which returns its
 * final value, and the new row starts from those values. No floor is lost and none steps back: an advance that
 * stored into the old row before its element was swapped is in the value copied; one that comes after finds
 * {@code DEAD}, waits in {@code cells.remove(key, oldRow)} for the bin lock until the compute is done (the remove
 * then fails: the mapping is the grown row) and retries in the grown row. A read that finds {@code DEAD} waits the
 * same way and reads the grown row.
 *
 * <p><b>Memory ordering:</b> {@link #advance} is a volatile read-modify-write of its element: a value it stores
 * happens-before any later {@code advance} or {@link #getAcquire} of the same element that returns it (release by
 * the CAS, acquire by the read), so a thread that sees a value also sees everything its writer did before storing
 * it. Across a growth too: the grower's getAndSet acquires what it copies, and the map publishes the grown row
 * (what a thread does before {@code compute} puts a value happens-before another thread's {@code get} of it).
 *
 * <p><b>Bound:</b> at most about {@code capacity} counters (elements of all rows, not rows). When an insert or a
 * growth takes the total above it, that thread (one at a time; the others go on) evicts the least recently used
 * rows until the total is at most {@code capacity - capacity / 8}, so the sort is paid once per {@code capacity /
 * 8} counters inserted. While an eviction runs, the threads that insert go on and the total may be a few rows
 * above the capacity; the evicting thread checks again when it is done. An evicted row forgets its values: its next
 * advance starts again from its candidate, which may be lower. Rows touched recently are the last to go, so with a
 * capacity above the counters of live rows only those of vanished cgroups are forgotten. An advance that races
 * with the eviction of its own row is never applied to the evicted row and then lost: the evictor marks every
 * element dead first (under the bin lock, then removes the row), and an advance that finds one dead inserts a
 * fresh row.
 *
 * <p>Values are non-negative longs, as kernel counters are; an element of a row that was never advanced is 0.
 */
public final class ConcurrentMonotonicCounters {

    /** What {@link #getAcquire} returns for a row that does not exist or is shorter than the index. */
    public static final long ABSENT = -1;

    /** The value of an element whose row was grown or removed: it takes no more advances. */
    private static final long DEAD = Long.MIN_VALUE;

    /** The length of the smallest row. */
    static final int MIN_LENGTH = 16;
    /** The largest index: rows are powers of two up to 2^30 long. */
    static final int MAX_INDEX = (1 << 30) - 1;

    private static final VarHandle ELEMENT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle LAST_USED;

    static {
        try {
            LAST_USED = MethodHandles.lookup().findVarHandle(Row.class, "lastUsed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * One key's counters. Elements change only by CAS, or by getAndSet to DEAD under the bin lock just before the
     * row leaves the map (grown or removed); so a row in the map outside a compute has no DEAD element.
     */
    private static final class Row {
        final long[] values;
        /** The clock at the last advance; opaque: only a hint for the eviction order. */
        @SuppressWarnings("unused") // accessed through LAST_USED
        private long lastUsed;

        Row(long[] values, long now) {
            this.values = values;
            this.lastUsed = now;
        }
    }

    private final ConcurrentHashMap<String, Row> cells = new ConcurrentHashMap<>();
    private final int capacity;
    private final LongSupplier clock;
    /** Counters held: the lengths of the rows in the map, adjusted on insert, growth and removal. */
    private final AtomicLong held = new AtomicLong();
    /** Held (true) by the one thread evicting; others skip eviction rather than wait. */
    private final AtomicBoolean evicting = new AtomicBoolean();

    /**
     * @param capacity the number of counters (elements of all rows) above which the least recently used rows are
     *                 evicted, &ge; 1
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
     * Raises element {@code index} of row {@code key} to {@code candidate} if it is below, and returns its value:
     * {@code max(previous, candidate)}, or {@code candidate} for a row with no value yet. Never returns less than
     * {@code candidate}, nor less than any value a call on the same element returned before (unless the row was
     * evicted in between). Creates or grows the row as needed. Volatile semantics, see the class comment.
     *
     * @param key       any string, e.g. a cgroup's
     * @param index     the counter in the row, 0 to 2^30 - 1 (small: rows grow to cover it)
     * @param candidate the value computed now, &ge; 0
     * @throws IllegalArgumentException if candidate or index is negative, or index too large
     */
    public long advance(String key, int index, long candidate) {
        Objects.requireNonNull(key, "key");
        checkIndex(index);
        if (candidate < 0) {
            throw new IllegalArgumentException("negative counter value for " + key + "[" + index + "]: " + candidate);
        }
        long now = clock.getAsLong();
        while (true) {
            Row row = cells.get(key);
            if (row == null) {
                long[] values = new long[length(index)];
                values[index] = candidate;
                Row fresh = new Row(values, now);
                row = cells.putIfAbsent(key, fresh);
                if (row == null) {
                    held.addAndGet(values.length);
                    evictIfOverCapacity();
                    return candidate;
                }
            }
            if (index >= row.values.length) {
                if (grow(key, row, index, now)) evictIfOverCapacity();
                continue; // advance in the grown row (or in whatever another thread left there)
            }
            LAST_USED.setOpaque(row, now);
            long seen = (long) ELEMENT.getAcquire(row.values, index);
            while (seen != DEAD) {
                if (seen >= candidate) return seen;
                long witness = (long) ELEMENT.compareAndExchange(row.values, index, seen, candidate);
                if (witness == seen) return candidate;
                seen = witness;
            }
            // Grown or removed under us: wait for the bin lock of that compute, then retry in the grown row or a
            // fresh one. (The remove fails: the compute has replaced or removed the row by the time it runs.)
            cells.remove(key, row);
        }
    }

    /**
     * Element {@code index} of row {@code key}, or {@link #ABSENT} when there is no such row or it is shorter. An
     * acquire read: pairs with the CAS of the {@link #advance} that stored the value, so the caller sees what that
     * thread did before it.
     */
    public long getAcquire(String key, int index) {
        checkIndex(index);
        while (true) {
            Row row = cells.get(key);
            if (row == null || index >= row.values.length) return ABSENT;
            long value = (long) ELEMENT.getAcquire(row.values, index);
            if (value != DEAD) return value;
            cells.remove(key, row); // being grown or removed: wait for it (see advance), then read what is left
        }
    }

    /**
     * Forgets every row {@code which} accepts, as an eviction does: an advance racing with it either lands before
     * (and is forgotten with the row) or starts the row afresh from its candidate. For rows of a thing that is gone
     * (a removed cgroup), so that they do not wait for the least-recently-used eviction.
     *
     * @return how many rows were forgotten
     */
    public int forget(Predicate<String> which) {
        int forgotten = 0;
        for (String key : cells.keySet()) {
            if (which.test(key) && kill(key, null)) forgotten++;
        }
        return forgotten;
    }

    /** The number of rows now (a moment's estimate while other threads insert or evict). */
    public int size() {
        return cells.size();
    }

    /** The number of counters held now: the rows' lengths, what the capacity bounds (an estimate, as size). */
    public long counters() {
        return held.get();
    }

    public int capacity() {
        return capacity;
    }

    private static void checkIndex(int index) {
        if (index < 0 || index > MAX_INDEX) throw new IllegalArgumentException("index out of range: " + index);
    }

    /** The length of a row that covers {@code index}: a power of two, at least {@link #MIN_LENGTH}. */
    static int length(int index) {
        int n = Math.max(index + 1, MIN_LENGTH);
        return Integer.highestOneBit(n - 1) << 1;
    }

    // ---------------------------------------------------------------- growth

    /**
     * Replaces {@code row} by one that covers {@code index}, with its values, if it is still the mapping of
     * {@code key} (else another thread grew or removed it: nothing to do, the caller retries). Under the bin lock,
     * so that it is serialised with other growths and kills of the row; see the class comment for why no value is
     * lost. Whether this call grew it.
     */
    private boolean grow(String key, Row row, int index, long now) {
        boolean[] grown = {false};
        cells.compute(key, (k, current) -> {
            if (current != row) return current;
            long[] old = row.values;
            long[] values = new long[length(index)];
            for (int i = 0; i < old.length; i++) {
                values[i] = (long) ELEMENT.getAndSet(old, i, DEAD); // its final value: no advance lands after this
            }
            held.addAndGet(values.length - old.length);
            grown[0] = true;
            return new Row(values, now);
        });
        return grown[0];
    }

    // ---------------------------------------------------------------- eviction

    /**
     * Evicts if the total is above the capacity and no other thread is at it. That one checks again once done: what
     * was inserted while it ran (whose threads skipped eviction) is counted then, so that the total does not stay
     * above the capacity once the inserts stop. It stops when a pass finds nothing to evict.
     */
    private void evictIfOverCapacity() {
        while (held.get() > capacity && evicting.compareAndSet(false, true)) {
            boolean evicted;
            try {
                evicted = evictLeastRecentlyUsed();
            } finally {
                evicting.set(false);
            }
            if (!evicted) return;
        }
    }

    private record Candidate(String key, Row row, long lastUsed) {
    }

    /**
     * Removes row {@code key} if it is {@code expected} (any row when null), every element marked dead first, so
     * that from then on no advance can land in it; under the bin lock, so that a growth does not copy the row
     * while it is being killed. Whether this call removed it.
     */
    private boolean kill(String key, Row expected) {
        boolean[] killed = {false};
        cells.computeIfPresent(key, (k, row) -> {
            if (expected != null && row != expected) return row;
            for (int i = 0; i < row.values.length; i++) ELEMENT.getAndSet(row.values, i, DEAD);
            held.addAndGet(-row.values.length);
            killed[0] = true;
            return null;
        });
        return killed[0];
    }

    /** Whether it evicted a row. */
    private boolean evictLeastRecentlyUsed() {
        List<Candidate> all = new ArrayList<>(cells.size() + 16);
        long total = 0;
        for (Map.Entry<String, Row> e : cells.entrySet()) {
            Row row = e.getValue();
            all.add(new Candidate(e.getKey(), row, (long) LAST_USED.getOpaque(row)));
            total += row.values.length;
        }
        if (total <= capacity) return false;
        long target = capacity - capacity / 8;
        boolean evicted = false;
        // oldest first; nanoTime may wrap, so compare by difference as System.nanoTime's contract asks
        all.sort((a, b) -> Long.compare(a.lastUsed() - b.lastUsed(), 0));
        for (int i = 0; i < all.size() && total > target; i++) {
            Candidate c = all.get(i);
            if (kill(c.key(), c.row())) { // one grown since is in use: kept
                total -= c.row().values.length;
                evicted = true;
            }
        }
        return evicted;
    }
}
