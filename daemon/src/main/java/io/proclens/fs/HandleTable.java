package io.proclens.fs;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The snapshots of open files, by handle. A handle keeps the bytes rendered at open, so reads at any
 * offset see one consistent file. Safe for any number of loop threads: the map is concurrent and
 * handles are never reused.
 */
public final class HandleTable {
    private final ConcurrentHashMap<Long, MemorySegment> open = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    public long add(MemorySegment snapshot) {
        long handle = nextHandle.getAndIncrement();
        open.put(handle, snapshot);
        return handle;
    }

    /** The snapshot of {@code handle}, or null when it is not open. */
    public MemorySegment get(long handle) {
        return open.get(handle);
    }

    public void remove(long handle) {
        open.remove(handle);
    }

    public int size() {
        return open.size();
    }
}
