package io.proclens.fs;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The snapshots of open files, by handle: the bytes that a handle's reads at offsets past 0 continue, replaced by
 * each read at offset 0 ({@link #replace}), so that one pass over the file is never torn.
 *
 * <p>Slots in an array, so that open, read and release allocate nothing: a handle is a slot's index and the slot's
 * generation at open. Release bumps the generation before the slot is reused, so a released handle never reaches
 * the next file's snapshot. Lock-free for any number of loop threads: free slots are a stack whose head carries a
 * count of its changes (an index popped and pushed back meanwhile does not fool a compare-and-set); slots come in
 * chunks made on first use, at most {@link #MAX_OPEN} open at once.
 */
public final class HandleTable {
    static final int CHUNK_BITS = 10;
    static final int CHUNK = 1 << CHUNK_BITS;
    /** Open files at once; far more than the kernel's default limit of files per process times its loop threads. */
    public static final int MAX_OPEN = 1 << 20;

    private static final VarHandle SNAPSHOTS = MethodHandles.arrayElementVarHandle(MemorySegment[].class);
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private static final class Chunk {
        final MemorySegment[] snapshots = new MemorySegment[CHUNK];
        final int[] generations = new int[CHUNK];
        /** The next free slot below this one on the free stack, plus 1; 0 at the bottom. */
        final int[] nextFree = new int[CHUNK];
    }

    private final AtomicReferenceArray<Chunk> chunks = new AtomicReferenceArray<>(MAX_OPEN / CHUNK);
    /** Slots never used yet start here. */
    private final AtomicInteger fresh = new AtomicInteger();
    /** Top of the free stack: (changes << 32) | (slot + 1), slot + 1 = 0 when empty. */
    private final AtomicLong freeTop = new AtomicLong();

    /**
     * Keeps {@code snapshot} under a new handle; never 0.
     *
     * @throws IllegalStateException when {@link #MAX_OPEN} files are open
     */
    public long add(MemorySegment snapshot) {
        int slot = takeSlot();
        Chunk chunk = chunks.get(slot >>> CHUNK_BITS);
        int index = slot & (CHUNK - 1);
        int generation = (int) INTS.getAcquire(chunk.generations, index);
        SNAPSHOTS.setRelease(chunk.snapshots, index, snapshot);
        return handle(generation, slot);
    }

    /** The snapshot of {@code handle}, or null when it is not open. */
    public MemorySegment get(long handle) {
        int slot = (int) handle - 1;
        if (slot < 0 || slot >= MAX_OPEN) return null;
        Chunk chunk = chunks.get(slot >>> CHUNK_BITS);
        if (chunk == null) return null;
        int index = slot & (CHUNK - 1);
        // Snapshot first, generation second: release bumps the generation before it clears or reuses the slot,
        // so a snapshot read here belongs to the handle if the generation still is the handle's.
        MemorySegment snapshot = (MemorySegment) SNAPSHOTS.getAcquire(chunk.snapshots, index);
        int generation = (int) INTS.getAcquire(chunk.generations, index);
        return generation == (int) (handle >>> 32) ? snapshot : null;
    }

    /**
     * Puts {@code fresh} in place of the handle's snapshot {@code expected}; false (and nothing changed) when the
     * handle is not open or another read replaced it meanwhile. The kernel sends a file's release only after every
     * read of it has been answered, and a read replaces before it answers, so a replace never reaches a slot that
     * was released and taken again; the generation and the compare-and-set check it anyway.
     */
    public boolean replace(long handle, MemorySegment expected, MemorySegment fresh) {
        int slot = (int) handle - 1;
        if (slot < 0 || slot >= MAX_OPEN || expected == null) return false;
        Chunk chunk = chunks.get(slot >>> CHUNK_BITS);
        if (chunk == null) return false;
        int index = slot & (CHUNK - 1);
        if ((int) INTS.getAcquire(chunk.generations, index) != (int) (handle >>> 32)) return false;
        return SNAPSHOTS.compareAndSet(chunk.snapshots, index, expected, fresh);
    }

    /** Closes {@code handle}; a handle not open (already released, or never given) is ignored. */
    public void remove(long handle) {
        int slot = (int) handle - 1;
        if (slot < 0 || slot >= MAX_OPEN) return;
        Chunk chunk = chunks.get(slot >>> CHUNK_BITS);
        if (chunk == null) return;
        int index = slot & (CHUNK - 1);
        int generation = (int) (handle >>> 32);
        // Only one release of a handle wins; the slot is then ours until it is back on the free stack.
        if (!INTS.compareAndSet(chunk.generations, index, generation, generation + 1)) return;
        SNAPSHOTS.setRelease(chunk.snapshots, index, null); // let the snapshot go to the GC
        pushFree(chunk, index, slot);
    }

    /** How many files are open now; counts the slots, for tests and diagnostics. */
    public int size() {
        int open = 0;
        for (int c = 0; c < chunks.length(); c++) {
            Chunk chunk = chunks.get(c);
            if (chunk == null) break;
            for (int i = 0; i < CHUNK; i++) {
                if (SNAPSHOTS.getAcquire(chunk.snapshots, i) != null) open++;
            }
        }
        return open;
    }

    static long handle(int generation, int slot) {
        return ((long) generation << 32) | (slot + 1L);
    }

    private int takeSlot() {
        while (true) {
            long top = freeTop.get();
            int slot = (int) top - 1;
            if (slot < 0) return freshSlot();
            Chunk chunk = chunks.get(slot >>> CHUNK_BITS);
            // May be stale if another thread pops this slot meanwhile; then the change count differs and the CAS fails.
            int below = (int) INTS.getAcquire(chunk.nextFree, slot & (CHUNK - 1));
            long changed = (((top >>> 32) + 1) << 32) | (below & 0xffffffffL);
            if (freeTop.compareAndSet(top, changed)) return slot;
        }
    }

    private void pushFree(Chunk chunk, int index, int slot) {
        while (true) {
            long top = freeTop.get();
            INTS.setRelease(chunk.nextFree, index, (int) top);
            long changed = (((top >>> 32) + 1) << 32) | (slot + 1L);
            if (freeTop.compareAndSet(top, changed)) return;
        }
    }

    private int freshSlot() {
        int slot = fresh.getAndIncrement();
        if (slot >= MAX_OPEN || slot < 0) {
            fresh.set(MAX_OPEN); // keeps it from wrapping; released slots are still taken from the free stack
            throw new IllegalStateException("more than " + MAX_OPEN + " files open");
        }
        int c = slot >>> CHUNK_BITS;
        if (chunks.get(c) == null) chunks.compareAndSet(c, null, new Chunk());
        return slot;
    }
}
