package io.proclens.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Immutable snapshots of a file's bytes in native memory, which read replies point into without a copy. */
public final class Snapshots {
    private Snapshots() {
    }

    public static MemorySegment of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Freed by the GC once no handle, cache entry or reply refers to it. */
    public static MemorySegment of(byte[] bytes) {
        MemorySegment snapshot = Arena.ofAuto().allocate(Math.max(bytes.length, 1)).asSlice(0, bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, snapshot, 0, bytes.length);
        return snapshot.asReadOnly();
    }
}
