package io.proclens.fuse;

import io.proclens.fs.DirEntry;
import io.proclens.fs.Filesystem;
import io.proclens.fs.FsException;
import io.proclens.fs.HandleTable;
import io.proclens.fs.NodeAttr;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The filesystem of a worker that takes over from another: files the previous worker opened stay open in the
 * kernel, and their reads and releases now come here with handles we never gave out.
 *
 * <p>Each worker marks its handles with its own tag in bits 21-31, which {@link HandleTable} never uses (its
 * handles are a generation in bits 32-63 and a slot + 1 of at most {@link HandleTable#MAX_OPEN} = 2^20 below).
 * A read of another worker's handle adopts it: a handle of our own stands for it until its release, rendered
 * for the reader as every read at offset 0 renders. The bytes the previous worker had sent cannot be recovered, so
 * a read at offset 0 is exact, and a later first read is a guess ({@link #probablyHadItAll}): the end of the file,
 * or the new rendering from that offset (a reader in the middle of a file across a take-over may see two
 * renderings meet).
 */
public final class HandedOverFiles implements Filesystem {
    static final int TAG_SHIFT = 21;
    static final long TAG_MASK = 0x7FFL << TAG_SHIFT;
    private static final int READ_ONLY = 0; // O_RDONLY
    private static final MemorySegment EMPTY = MemorySegment.NULL;

    private final Filesystem inner;
    private final long tag;
    /** Other workers' handles that were read here: the handle of our own rendering, by theirs. */
    private final ConcurrentHashMap<Long, Long> adopted = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder adoptedEver = new java.util.concurrent.atomic.LongAdder();

    /** @param worker the worker's number, from the holder: consecutive workers get different tags */
    public HandedOverFiles(Filesystem inner, int worker) {
        this.inner = inner;
        this.tag = (Math.floorMod(worker, 2047) + 1L) << TAG_SHIFT;
    }

    static {
        if (HandleTable.MAX_OPEN >= 1L << TAG_SHIFT) throw new ExceptionInInitializerError("handle bits overlap");
    }

    @Override
    public NodeAttr lookup(long parent, String name) throws FsException {
        return inner.lookup(parent, name);
    }

    @Override
    public NodeAttr lookup(long parent, String name, int callerPid) throws FsException {
        return inner.lookup(parent, name, callerPid);
    }

    @Override
    public NodeAttr getattr(long ino) throws FsException {
        return inner.getattr(ino);
    }

    @Override
    public long open(long ino, int flags) throws FsException {
        return inner.open(ino, flags) | tag;
    }

    boolean ours(long handle) {
        return (handle & TAG_MASK) == tag;
    }

    @Override
    public MemorySegment read(long ino, long handle, long offset, long size, int readerPid) throws FsException {
        if (ours(handle)) return inner.read(ino, handle & ~TAG_MASK, offset, size, readerPid);
        Long own = adopted.get(handle);
        if (own != null) return inner.read(ino, own, offset, size, readerPid);
        own = adopt(handle, ino);
        MemorySegment bytes = inner.read(ino, own, offset, size, readerPid);
        return offset > 0 && probablyHadItAll(offset, size, offset + bytes.byteSize()) ? EMPTY : bytes;
    }

    /**
     * Whether a reader that got {@code offset} bytes from a previous worker had the whole file then, guessed from
     * this read and the new rendering's {@code length}: a reader that got it all asks again at the end, where the new
     * rendering ends too, give or take the few digits that grew meanwhile; its offset is no multiple of its size
     * since its last read came up short. A reader in the middle of the file (java's readAllBytes asks 1 byte first,
     * then the rest; fixed-size chunks) is far from the end or at a multiple of its size.
     */
    static boolean probablyHadItAll(long offset, long size, long length) {
        long slack = Math.min(256, length / 4);
        return offset % Math.max(size, 1) != 0 && offset + slack >= length;
    }

    /** Our own handle for another worker's {@code handle} of {@code ino}; one, however many threads ask. */
    long adopt(long handle, long ino) throws FsException {
        long fresh = inner.open(ino, READ_ONLY);
        Long raced = adopted.putIfAbsent(handle, fresh);
        if (raced == null) {
            adoptedEver.increment();
            return fresh;
        }
        inner.release(fresh);
        return raced;
    }

    @Override
    public void release(long handle) {
        if (ours(handle)) {
            inner.release(handle & ~TAG_MASK);
            return;
        }
        Long own = adopted.remove(handle);
        if (own != null) inner.release(own);
    }

    /** Other workers' handles adopted here since this worker started, released or not. */
    public long adoptedHandles() {
        return adoptedEver.sum();
    }

    /** Other workers' files adopted here and not yet released; for tests. */
    int adoptedCount() {
        return adopted.size();
    }

    @Override
    public List<DirEntry> readdir(long ino) throws FsException {
        return inner.readdir(ino);
    }

    @Override
    public List<DirEntry> readdir(long ino, int callerPid) throws FsException {
        return inner.readdir(ino, callerPid);
    }

    @Override
    public String readlink(long ino) throws FsException {
        return inner.readlink(ino);
    }
}
