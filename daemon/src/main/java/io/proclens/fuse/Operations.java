package io.proclens.fuse;

import io.proclens.bindings.LibFuse;
import io.proclens.bindings.fuse_ctx;
import io.proclens.bindings.fuse_entry_param;
import io.proclens.bindings.fuse_file_info;
import io.proclens.bindings.fuse_lowlevel_ops;
import io.proclens.bindings.stat;
import io.proclens.fs.DirEntry;
import io.proclens.fs.Filesystem;
import io.proclens.fs.FsException;
import io.proclens.fs.NodeAttr;
import io.proclens.fuse.RequestMetrics.Op;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The low-level op upcalls: each adapter converts the native arguments, asks the {@link Filesystem}
 * and sends exactly one reply on every path. No exception leaves an upcall (it would end the JVM):
 * every adapter catches {@link Throwable}, replies EIO and logs.
 *
 * <p>Each upcall is counted and timed in {@link RequestMetrics} (no clock is read when metrics are off).
 *
 * <p>Ops we leave out get libfuse's default answer: ENOSYS for flush (the kernel then stops sending
 * it), write and every namespace change (also refused earlier by the kernel: the mount is read-only
 * and no mode has a write bit, under default_permissions); no reply for forget (our inodes live forever).
 */
final class Operations {
    private static final Logger LOG = Logger.getLogger(Operations.class.getName());

    /** The tree and every node's attributes are the same for every caller and never change while we run. */
    static final double ENTRY_TIMEOUT_SECONDS = 3600;
    static final double ATTR_TIMEOUT_SECONDS = 3600;

    static final int DIRECTORY_TYPE = LibFuse.S_IFDIR();
    static final int FILE_TYPE = LibFuse.S_IFREG();
    static final int SYMLINK_TYPE = LibFuse.S_IFLNK();

    /** fuse_file_info's bitfield word follows {@code int flags}; its bit order is fixed by libfuse's ABI. */
    static final long FILE_INFO_BITS_OFFSET = 4;
    static final int DIRECT_IO_BIT = 1 << 1;
    static final int KEEP_CACHE_BIT = 1 << 2;
    static final int NOFLUSH_BIT = 1 << 7;

    /**
     * All of memory, for reading libfuse's structs by address: reinterpreting each pointer would make a segment
     * object per access. Only addresses libfuse hands us are read through it.
     */
    private static final MemorySegment EVERYWHERE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Filesystem fs;
    private final RequestMetrics metrics;
    private final long startSeconds = System.currentTimeMillis() / 1000;

    Operations(Filesystem fs, RequestMetrics metrics) {
        this.fs = fs;
        this.metrics = metrics;
    }

    /** Builds the ops table in {@code arena}; the upcall stubs live as long as the arena. */
    MemorySegment table(Arena arena) {
        MemorySegment ops = fuse_lowlevel_ops.allocate(arena); // zeroed: every op we leave out is NULL
        fuse_lowlevel_ops.lookup(ops, fuse_lowlevel_ops.lookup.allocate(this::lookup, arena));
        fuse_lowlevel_ops.getattr(ops, fuse_lowlevel_ops.getattr.allocate(this::getattr, arena));
        // The ops of every file read take their pointers as plain 64-bit numbers (the same registers on the ABIs
        // we run on): an upcall stub would otherwise make a segment object for each pointer argument.
        fuse_lowlevel_ops.open(ops, upcall("open", 3, arena));
        fuse_lowlevel_ops.read(ops, upcall("read", 5, arena));
        fuse_lowlevel_ops.release(ops, upcall("release", 3, arena));
        fuse_lowlevel_ops.opendir(ops, fuse_lowlevel_ops.opendir.allocate(this::opendir, arena));
        fuse_lowlevel_ops.readdir(ops, fuse_lowlevel_ops.readdir.allocate(this::readdir, arena));
        fuse_lowlevel_ops.releasedir(ops, fuse_lowlevel_ops.releasedir.allocate(this::releasedir, arena));
        fuse_lowlevel_ops.readlink(ops, fuse_lowlevel_ops.readlink.allocate(this::readlink, arena));
        return ops;
    }

    /** An upcall stub of {@code void name(long...)}, bound to this. */
    private MemorySegment upcall(String name, int longs, Arena arena) {
        MethodType type = MethodType.methodType(void.class, java.util.Collections.nCopies(longs, long.class));
        try {
            MethodHandle target = MethodHandles.lookup().findVirtual(Operations.class, name, type).bindTo(this);
            ValueLayout[] arguments = new ValueLayout[longs];
            java.util.Arrays.fill(arguments, ValueLayout.JAVA_LONG);
            return Linker.nativeLinker().upcallStub(target, FunctionDescriptor.ofVoid(arguments), arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- adapters: convert, delegate, reply once ----

    /** The pid of the process whose request this is (0 when the kernel sends one of its own). */
    private static int callerPid(MemorySegment req) {
        long ctx = LibFuse.fuse_req_ctx(req).address();
        return EVERYWHERE.get(ValueLayout.JAVA_INT, ctx + fuse_ctx.pid$offset());
    }

    void lookup(MemorySegment req, long parent, MemorySegment name) {
        reply(req, Op.LOOKUP, () -> {
            NodeAttr attr = fs.lookup(parent, name.reinterpret(Long.MAX_VALUE).getString(0), callerPid(req));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment entry = fuse_entry_param.allocate(arena);
                fuse_entry_param.ino(entry, attr.ino());
                fuse_entry_param.entry_timeout(entry, attr.perReader() ? 0 : ENTRY_TIMEOUT_SECONDS);
                fuse_entry_param.attr_timeout(entry, ATTR_TIMEOUT_SECONDS);
                fillStat(fuse_entry_param.attr(entry), attr);
                return LibFuse.fuse_reply_entry(req, entry);
            }
        });
    }

    void getattr(MemorySegment req, long ino, MemorySegment fileInfo) {
        reply(req, Op.GETATTR, () -> {
            NodeAttr attr = fs.getattr(ino);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment st = stat.allocate(arena);
                fillStat(st, attr);
                return LibFuse.fuse_reply_attr(req, st, ATTR_TIMEOUT_SECONDS);
            }
        });
    }

    // open, read and release run for every file read: written out without the lambda of reply(), and reading the
    // structs through EVERYWHERE by address instead of reinterpreted segments, so that they allocate nothing (the
    // segments made here for downcalls do not escape them, and the JIT does without them).

    void open(long req, long ino, long fi) {
        long started = metrics.start();
        MemorySegment request = MemorySegment.ofAddress(req);
        try {
            long handle = fs.open(ino, EVERYWHERE.get(ValueLayout.JAVA_INT, fi + fuse_file_info.flags$offset()));
            EVERYWHERE.set(ValueLayout.JAVA_LONG, fi + fuse_file_info.fh$offset(), handle);
            // Direct I/O: the page cache is per inode and shared by every container, so it must never
            // keep one caller's bytes for another. No flush: we have nothing to write back.
            int bits = EVERYWHERE.get(ValueLayout.JAVA_INT, fi + FILE_INFO_BITS_OFFSET);
            bits = (bits | DIRECT_IO_BIT | NOFLUSH_BIT) & ~KEEP_CACHE_BIT;
            EVERYWHERE.set(ValueLayout.JAVA_INT, fi + FILE_INFO_BITS_OFFSET, bits);
            if (LibFuse.fuse_reply_open(request, MemorySegment.ofAddress(fi)) != 0) {
                fs.release(handle); // the open was interrupted: no release will come
            }
        } catch (Throwable t) {
            fail(request, "open", t);
        } finally {
            metrics.done(Op.OPEN, started);
        }
    }

    /**
     * A read that fills the kernel's page cache is refused with EINVAL, the kernel's "this file cannot be spliced".
     * Kernels from 6.5 on without the fix send such reads for a direct-I/O file that is spliced (sendfile: busybox
     * cat, Python's shutil.copyfile) or mapped; the page cache is shared by every reader of the inode, so one
     * container's bytes would reach the next. Those readers fall back to read(2), which is served. The kernel's own
     * reads for a process (direct I/O) carry its lock owner; page cache reads carry none.
     */
    void read(long req, long ino, long size, long offset, long fi) {
        long started = metrics.start();
        MemorySegment request = MemorySegment.ofAddress(req);
        try {
            if (EVERYWHERE.get(ValueLayout.JAVA_LONG, fi + fuse_file_info.lock_owner$offset()) == 0) {
                LibFuse.fuse_reply_err(request, Errno.EINVAL);
                return;
            }
            long handle = EVERYWHERE.get(ValueLayout.JAVA_LONG, fi + fuse_file_info.fh$offset());
            MemorySegment bytes = fs.read(ino, handle, offset, size, callerPid(request));
            LibFuse.fuse_reply_buf(request, bytes, bytes.byteSize());
        } catch (Throwable t) {
            fail(request, "read", t);
        } finally {
            metrics.done(Op.READ, started);
        }
    }

    void release(long req, long ino, long fi) {
        long started = metrics.start();
        MemorySegment request = MemorySegment.ofAddress(req);
        try {
            fs.release(EVERYWHERE.get(ValueLayout.JAVA_LONG, fi + fuse_file_info.fh$offset()));
            LibFuse.fuse_reply_err(request, 0);
        } catch (Throwable t) {
            fail(request, "release", t);
        } finally {
            metrics.done(Op.RELEASE, started);
        }
    }

    void opendir(MemorySegment req, long ino, MemorySegment fileInfo) {
        reply(req, Op.OPENDIR, () -> {
            NodeAttr attr = fs.getattr(ino);
            if (!attr.directory()) throw new FsException(FsException.Failure.NOT_A_DIRECTORY, "not a directory");
            return LibFuse.fuse_reply_open(req, fileInfo);
        });
    }

    void readdir(MemorySegment req, long ino, long size, long offset, MemorySegment fileInfo) {
        reply(req, Op.READDIR, () -> {
            List<DirEntry> entries = fs.readdir(ino, callerPid(req));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(Math.max(size, 1));
                MemorySegment st = stat.allocate(arena);
                long used = 0;
                // Offsets are entry indexes: the kernel passes back the offset of the next entry to read.
                for (long index = Math.max(offset, 0); index < entries.size(); index++) {
                    DirEntry entry = entries.get((int) index);
                    fillStat(st, entry.attr());
                    MemorySegment name = arena.allocateFrom(entry.name());
                    long need = LibFuse.fuse_add_direntry(req, buffer.asSlice(used), size - used, name, st, index + 1);
                    if (need > size - used) break; // full: the kernel asks again from this entry
                    used += need;
                }
                return LibFuse.fuse_reply_buf(req, buffer, used);
            }
        });
    }

    void readlink(MemorySegment req, long ino) {
        reply(req, Op.READLINK, () -> {
            String target = fs.readlink(ino);
            try (Arena arena = Arena.ofConfined()) {
                return LibFuse.fuse_reply_readlink(req, arena.allocateFrom(target));
            }
        });
    }

    void releasedir(MemorySegment req, long ino, MemorySegment fileInfo) {
        reply(req, Op.RELEASEDIR, () -> LibFuse.fuse_reply_err(req, 0));
    }

    // ---- helpers ----

    private void fillStat(MemorySegment st, NodeAttr attr) {
        st.fill((byte) 0);
        stat.st_ino(st, attr.ino());
        stat.st_mode(st, mode(attr));
        stat.st_nlink(st, attr.links());
        stat.st_size(st, attr.size());
        stat.st_blksize(st, 4096);
        for (MemorySegment time : List.of(stat.st_atim(st), stat.st_mtim(st), stat.st_ctim(st))) {
            time.set(ValueLayout.JAVA_LONG, 0, startSeconds);
        }
    }

    static int mode(NodeAttr attr) {
        int type = switch (attr.kind()) {
            case DIRECTORY -> DIRECTORY_TYPE;
            case FILE -> FILE_TYPE;
            case SYMLINK -> SYMLINK_TYPE;
        };
        return type | (attr.permissions() & 0777);
    }

    /** One reply on every path: the op's own, an errno for a failure, EIO for anything unexpected; timed. */
    private void reply(MemorySegment req, Op op, ReplyingCall call) {
        long started = metrics.start();
        try {
            call.run();
        } catch (Throwable t) {
            fail(req, op.label(), t);
        } finally {
            metrics.done(op, started);
        }
    }

    /** The reply to an op that threw: its errno for a failure, EIO (and a log line) for anything unexpected. */
    private static void fail(MemorySegment req, String op, Throwable t) {
        try {
            if (t instanceof FsException e) {
                LibFuse.fuse_reply_err(req, Errno.of(e.failure()));
                return;
            }
            LOG.log(Level.WARNING, op + " failed, answering EIO", t);
            LibFuse.fuse_reply_err(req, Errno.EIO);
        } catch (Throwable ignored) {
            // nothing more can be done for this request; never let it escape the upcall
        }
    }

    @FunctionalInterface
    private interface ReplyingCall {
        /** Computes the answer and sends its reply; returns libfuse's result of sending it. */
        int run() throws FsException;
    }
}
