package io.proclens.fuse;

import io.proclens.fs.DirEntry;
import io.proclens.fs.Filesystem;
import io.proclens.fs.FsException;
import io.proclens.fs.NodeAttr;
import io.proclens.fuse.RequestMetrics.Op;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FUSE requests answered as the kernel sends them (uapi {@code linux/fuse.h}), without libfuse: what the io_uring
 * transport serves, since libfuse 3.14 cannot. The answers are {@link Operations}' (the same tree, timeouts, direct
 * I/O, refusal of page-cache reads), and ops it leaves out get libfuse's defaults (ENOSYS; statfs's zeros with a
 * 255-byte name limit; no reply to forget and interrupt: every answer is immediate and our inodes live forever).
 *
 * <p>A request is its {@code fuse_in_header}, its op's own header and its payload (a lookup's name); the reply's body
 * is written to {@code out}, which may be the payload's memory (the name is read before anything is written).
 * Thread-safe, allocation-free on the read path as {@link Operations} is.
 */
final class WireOperations {
    private static final Logger LOG = Logger.getLogger(WireOperations.class.getName());

    /** {@link #answer}'s result for a request that gets no reply. */
    static final int NO_REPLY = Integer.MIN_VALUE;

    static final int LOOKUP = 1, FORGET = 2, GETATTR = 3, READLINK = 5, OPEN = 14, READ = 15, STATFS = 17,
            RELEASE = 18, INIT = InitRequest.FUSE_INIT, OPENDIR = 27, READDIR = 28, RELEASEDIR = 29, INTERRUPT = 36, DESTROY = 38,
            BATCH_FORGET = 42;

    /** fuse_in_header (40 bytes) and fuse_out_header (16 bytes). */
    static final int IN_HEADER_SIZE = InitRequest.HEADER_LENGTH, OUT_HEADER_SIZE = 16;
    static final long IN_LEN = 0, IN_OPCODE = 4, IN_UNIQUE = 8, IN_NODEID = 16, IN_PID = 32;
    static final long OUT_LEN = 0, OUT_ERROR = 4, OUT_UNIQUE = 8;

    /** fuse_read_in: fh, offset, size, read_flags, lock_owner, flags. fuse_open_in: flags. fuse_release_in: fh. */
    private static final long READ_FH = 0, READ_OFFSET = 8, READ_SIZE = 16, READ_LOCK_OWNER = 24;
    private static final long OPEN_FLAGS = 0, RELEASE_FH = 0;
    /** fuse_open_out: fh, open_flags. */
    private static final int OPEN_OUT_SIZE = 16;
    private static final int FOPEN_DIRECT_IO = 1, FOPEN_NOFLUSH = 1 << 5;
    /** fuse_attr (88 bytes) in fuse_entry_out (128, at 40) and fuse_attr_out (104, at 16). */
    private static final int ATTR_SIZE = 88, ENTRY_OUT_SIZE = 128, ATTR_OUT_SIZE = 104, STATFS_OUT_SIZE = 80;
    /** fuse_dirent: ino, off, namelen, type, then the name, padded to 8 bytes. */
    private static final int DIRENT_NAME = 24;

    private final Filesystem fs;
    private final RequestMetrics metrics;
    private final long startSeconds = System.currentTimeMillis() / 1000;

    WireOperations(Filesystem fs, RequestMetrics metrics) {
        this.fs = fs;
        this.metrics = metrics;
    }

    /**
     * Answers one request: writes the reply's body to {@code out} and returns its length, a negative errno, or
     * {@link #NO_REPLY}. Never throws: anything unexpected is EIO, logged.
     */
    int answer(MemorySegment header, MemorySegment op, MemorySegment payload, MemorySegment out) {
        int opcode = header.get(JAVA_INT, IN_OPCODE);
        long nodeid = header.get(JAVA_LONG, IN_NODEID);
        int pid = header.get(JAVA_INT, IN_PID);
        Op timed = timedOp(opcode);
        long started = timed == null ? 0 : metrics.start();
        try {
            return switch (opcode) {
                case LOOKUP -> lookup(nodeid, payload, pid, out);
                case GETATTR -> getattr(nodeid, out);
                case OPEN -> open(nodeid, op, out);
                case READ -> read(nodeid, op, pid, out);
                case RELEASE -> {
                    fs.release(op.get(JAVA_LONG, RELEASE_FH));
                    yield 0;
                }
                case OPENDIR -> opendir(nodeid, out);
                case READDIR -> readdir(nodeid, op, pid, out);
                case RELEASEDIR, DESTROY -> 0;
                case READLINK -> bytes(fs.readlink(nodeid).getBytes(StandardCharsets.UTF_8), out);
                case STATFS -> statfs(out);
                case FORGET, BATCH_FORGET, INTERRUPT -> NO_REPLY;
                default -> -Errno.ENOSYS;
            };
        } catch (FsException e) {
            return -Errno.of(e.failure());
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "FUSE opcode " + opcode + " failed, answering EIO", t);
            return -Errno.EIO;
        } finally {
            if (timed != null) metrics.done(timed, started);
        }
    }

    /**
     * Undoes what a reply that never reached the kernel would have handed over (the request was interrupted):
     * an open's handle, for which no release will come.
     */
    void undelivered(MemorySegment header, MemorySegment out) {
        if (header.get(JAVA_INT, IN_OPCODE) == OPEN) fs.release(out.get(JAVA_LONG, 0));
    }

    private static Op timedOp(int opcode) {
        return switch (opcode) {
            case LOOKUP -> Op.LOOKUP;
            case GETATTR -> Op.GETATTR;
            case OPEN -> Op.OPEN;
            case READ -> Op.READ;
            case RELEASE -> Op.RELEASE;
            case OPENDIR -> Op.OPENDIR;
            case READDIR -> Op.READDIR;
            case RELEASEDIR -> Op.RELEASEDIR;
            case READLINK -> Op.READLINK;
            default -> null;
        };
    }

    private int lookup(long parent, MemorySegment payload, int pid, MemorySegment out) throws FsException {
        String name = payload.getString(0); // before out, which may be the same memory, is written
        NodeAttr attr = fs.lookup(parent, name, pid);
        out.asSlice(0, ENTRY_OUT_SIZE).fill((byte) 0);
        out.set(JAVA_LONG, 0, attr.ino());
        out.set(JAVA_LONG, 16, attr.perReader() ? 0 : (long) Operations.ENTRY_TIMEOUT_SECONDS);
        out.set(JAVA_LONG, 24, (long) Operations.ATTR_TIMEOUT_SECONDS);
        fillAttr(out, 40, attr);
        return ENTRY_OUT_SIZE;
    }

    private int getattr(long ino, MemorySegment out) throws FsException {
        NodeAttr attr = fs.getattr(ino);
        out.asSlice(0, ATTR_OUT_SIZE).fill((byte) 0);
        out.set(JAVA_LONG, 0, (long) Operations.ATTR_TIMEOUT_SECONDS);
        fillAttr(out, 16, attr);
        return ATTR_OUT_SIZE;
    }

    /** Direct I/O and no flush, as {@link Operations#open}: the page cache would share one caller's bytes. */
    private int open(long ino, MemorySegment op, MemorySegment out) throws FsException {
        long handle = fs.open(ino, op.get(JAVA_INT, OPEN_FLAGS));
        out.set(JAVA_LONG, 0, handle);
        out.set(JAVA_INT, 8, FOPEN_DIRECT_IO | FOPEN_NOFLUSH);
        out.set(JAVA_INT, 12, 0);
        return OPEN_OUT_SIZE;
    }

    /** A page-cache read (no lock owner) is refused with EINVAL, as {@link Operations#read} explains. */
    private int read(long ino, MemorySegment op, int pid, MemorySegment out) throws FsException {
        if (op.get(JAVA_LONG, READ_LOCK_OWNER) == 0) return -Errno.EINVAL;
        long size = Integer.toUnsignedLong(op.get(JAVA_INT, READ_SIZE));
        MemorySegment bytes = fs.read(ino, op.get(JAVA_LONG, READ_FH), op.get(JAVA_LONG, READ_OFFSET),
                Math.min(size, out.byteSize()), pid);
        MemorySegment.copy(bytes, 0, out, 0, bytes.byteSize());
        return (int) bytes.byteSize();
    }

    private int opendir(long ino, MemorySegment out) throws FsException {
        if (!fs.getattr(ino).directory()) throw new FsException(FsException.Failure.NOT_A_DIRECTORY, "not a directory");
        out.asSlice(0, OPEN_OUT_SIZE).fill((byte) 0);
        return OPEN_OUT_SIZE;
    }

    /** Offsets are entry indexes, as {@link Operations#readdir}: the kernel passes back the next entry's. */
    private int readdir(long ino, MemorySegment op, int pid, MemorySegment out) throws FsException {
        List<DirEntry> entries = fs.readdir(ino, pid);
        long size = Math.min(Integer.toUnsignedLong(op.get(JAVA_INT, READ_SIZE)), out.byteSize());
        long used = 0;
        for (long index = Math.max(op.get(JAVA_LONG, READ_OFFSET), 0); index < entries.size(); index++) {
            DirEntry entry = entries.get((int) index);
            byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
            long need = (DIRENT_NAME + name.length + 7) & ~7L;
            if (used + need > size) break; // full: the kernel asks again from this entry
            MemorySegment dirent = out.asSlice(used, need);
            dirent.fill((byte) 0);
            dirent.set(JAVA_LONG, 0, entry.attr().ino());
            dirent.set(JAVA_LONG, 8, index + 1);
            dirent.set(JAVA_INT, 16, name.length);
            dirent.set(JAVA_INT, 20, Operations.mode(entry.attr()) >>> 12); // the DT_ type is the mode's type bits
            MemorySegment.copy(name, 0, dirent, JAVA_BYTE, DIRENT_NAME, name.length);
            used += need;
        }
        return (int) used;
    }

    private static int statfs(MemorySegment out) {
        out.asSlice(0, STATFS_OUT_SIZE).fill((byte) 0);
        out.set(JAVA_INT, 40, 512); // bsize
        out.set(JAVA_INT, 44, 255); // namelen
        return STATFS_OUT_SIZE;
    }

    private static int bytes(byte[] bytes, MemorySegment out) {
        MemorySegment.copy(bytes, 0, out, JAVA_BYTE, 0, bytes.length);
        return bytes.length;
    }

    /** fuse_attr: ino, size, blocks, atime, mtime, ctime, three nsecs, mode, nlink, uid, gid, rdev, blksize, flags. */
    private void fillAttr(MemorySegment out, long at, NodeAttr attr) {
        MemorySegment a = out.asSlice(at, ATTR_SIZE);
        a.set(JAVA_LONG, 0, attr.ino());
        a.set(JAVA_LONG, 8, attr.size());
        for (long time = 24; time <= 40; time += 8) a.set(JAVA_LONG, time, startSeconds);
        a.set(JAVA_INT, 60, Operations.mode(attr));
        a.set(JAVA_INT, 64, attr.links());
        a.set(JAVA_INT, 80, 4096);
    }
}
