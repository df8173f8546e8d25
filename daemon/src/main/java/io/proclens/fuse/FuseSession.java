package io.proclens.fuse;

import io.proclens.bindings.LibFuse;
import io.proclens.bindings.fuse_args;
import io.proclens.bindings.fuse_buf;
import io.proclens.bindings.fuse_conn_info;
import io.proclens.bindings.fuse_lowlevel_ops;
import io.proclens.fs.Filesystem;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One mounted FUSE session and the loop threads that serve it.
 *
 * <p>Each loop thread is a platform thread that receives requests into its own buffer and lets libfuse
 * dispatch them to our upcalls on that same thread: no hand-off between threads on the path of a request.
 * All native state (options, ops table, upcall stubs) lives in one arena owned by the session and closed
 * after the last loop thread has ended.
 */
public final class FuseSession implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FuseSession.class.getName());

    /** allow_other: containers' processes are other users; ro + default_permissions: nothing can be written. */
    static final String MOUNT_OPTIONS = "allow_other,default_permissions,ro,fsname=proclens,subtype=proclens";

    /** FUSE_CAP_SPLICE_READ (fuse_common.h, 1 << 9): libfuse splices requests through a pipe. */
    static final int FUSE_CAP_SPLICE_READ = 1 << 9;
    /** libfuse's receive buffer: FUSE_MAX_MAX_PAGES pages plus one page of headers; the kernel refuses less. */
    static final long RECEIVE_BUFFER = 257L * DeviceIo.pageSize();

    private final Arena arena;
    private final MemorySegment session;
    private final Path mountpoint;
    private final long connectionId;
    private final LoopOptions options;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<Thread> loops = new CopyOnWriteArrayList<>(); // written by serve(), read by stop()

    private FuseSession(Arena arena, MemorySegment session, Path mountpoint, long connectionId, LoopOptions options) {
        this.arena = arena;
        this.session = session;
        this.mountpoint = mountpoint;
        this.connectionId = connectionId;
        this.options = options;
    }

    /**
     * Creates the session and mounts it at {@code mountpoint}, which must be an existing, unused directory.
     *
     * @throws MountException with a one-line reason when libfuse refuses
     */
    public static FuseSession mount(Path mountpoint, Filesystem fs, boolean debug, LoopOptions options)
            throws MountException {
        if (LibfuseLoader.load().isEmpty()) throw new MountException("libfuse3 is not installed: apt-get install fuse3");
        Arena arena = Arena.ofShared();
        boolean mounted = false;
        try {
            MemorySegment args = arguments(arena, debug);
            MemorySegment ops = new Operations(fs).table(arena);
            if (options.splice()) fuse_lowlevel_ops.init(ops, fuse_lowlevel_ops.init.allocate(FuseSession::wantSplice, arena));
            MemorySegment session = SessionFactory.newSession(args, ops, fuse_lowlevel_ops.sizeof(), arena);
            LibFuse.fuse_opt_free_args(args); // the session has parsed them; free what libfuse may have copied
            if (session.equals(MemorySegment.NULL)) {
                throw new MountException("libfuse refused the session options (" + MOUNT_OPTIONS + ")");
            }
            if (LibFuse.fuse_session_mount(session, arena.allocateFrom(mountpoint.toString())) != 0) {
                LibFuse.fuse_session_destroy(session);
                throw new MountException("mounting at " + mountpoint + " failed (libfuse printed why above)");
            }
            mounted = true;
            if (options.cloneFd()) ClonedDevices.routeReplies(session, arena);
            // Not a stat of the mountpoint: that would wait for this very session to answer.
            long connection = Mountpoint.connectionId(mountpoint);
            return new FuseSession(arena, session, mountpoint, connection, options);
        } finally {
            if (!mounted) arena.close();
        }
    }

    /** The init callback of the splice variant: libfuse only splices when the connection wants it. */
    private static void wantSplice(MemorySegment userdata, MemorySegment conn) {
        if ((fuse_conn_info.capable(conn) & FUSE_CAP_SPLICE_READ) != 0) {
            fuse_conn_info.want(conn, fuse_conn_info.want(conn) | FUSE_CAP_SPLICE_READ);
        }
    }

    private static MemorySegment arguments(Arena arena, boolean debug) {
        List<String> argv = new ArrayList<>(List.of("proclens", "-o", MOUNT_OPTIONS));
        if (debug) argv.add("-d");
        MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, argv.size() + 1);
        for (int i = 0; i < argv.size(); i++) {
            pointers.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(argv.get(i)));
        }
        MemorySegment args = fuse_args.allocate(arena);
        fuse_args.argc(args, argv.size());
        fuse_args.argv(args, pointers);
        fuse_args.allocated(args, 0);
        return args;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public LoopOptions options() {
        return options;
    }

    /** Starts the loop threads and blocks until all of them have ended (after {@link #stop()}). */
    public void serve() throws InterruptedException {
        int sessionFd = LibFuse.fuse_session_fd(session);
        if (options.spinMicros() > 0 && !options.cloneFd()) {
            int set = DeviceIo.setNonBlocking(sessionFd); // so that a thread can look for a request without sleeping
            if (set < 0) throw new IllegalStateException("fcntl O_NONBLOCK on /dev/fuse: errno " + -set);
        }
        for (int i = 0; i < options.threads(); i++) {
            Thread loop = new LoopThread("fuse-loop-" + i, () -> loop(sessionFd));
            loops.add(loop);
            loop.start();
        }
        for (Thread loop : loops) loop.join();
    }

    private void loop(int sessionFd) {
        LoopThread self = (LoopThread) Thread.currentThread();
        try (Arena own = Arena.ofConfined()) {
            MemorySegment errno = DeviceIo.errnoState(own);
            int fd = sessionFd;
            MemorySegment mem = MemorySegment.NULL; // our own buffer when we read; libfuse mallocs its own otherwise
            if (options.cloneFd()) {
                fd = DeviceIo.cloneDevice(sessionFd, options.spinMicros() > 0);
                if (fd < 0) throw new IllegalStateException("cloning /dev/fuse failed: errno " + -fd);
                self.device = fd;
                self.errno = errno;
                mem = own.allocate(RECEIVE_BUFFER, 4096);
            }
            MemorySegment buf = fuse_buf.allocate(own); // zeroed: libfuse allocates mem on first receive
            MemorySegment pollfd = own.allocate(DeviceIo.POLLFD);
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_SHORT, 4, DeviceIo.POLLIN);
            long spin = TimeUnit.MICROSECONDS.toNanos(options.spinMicros());
            long spinUntil = System.nanoTime();
            try {
                while (!stopping.get() && LibFuse.fuse_session_exited(session) == 0) {
                    long received = options.cloneFd() ? receive(fd, mem, buf, errno)
                            : LibFuse.fuse_session_receive_buf(session, buf);
                    if (received == -Errno.EAGAIN && spin > 0) { // non-blocking fd, nothing queued
                        if (System.nanoTime() - spinUntil < 0) {
                            Thread.onSpinWait();
                        } else {
                            DeviceIo.poll(pollfd, 1000, errno); // then read again: a request, an error, or a timeout
                        }
                        continue;
                    }
                    // ENOENT: the request we were reading was interrupted (libfuse retries it inside receive_buf)
                    if (received == -Errno.EINTR || received == -Errno.EAGAIN || received == -Errno.ENOENT) continue;
                    if (received <= 0) {
                        if (received < 0 && received != -Errno.ENODEV && !stopping.get()) {
                            LOG.warning("receiving from /dev/fuse failed: errno " + -received);
                        }
                        break; // 0 or ENODEV: the filesystem was unmounted
                    }
                    LibFuse.fuse_session_process_buf(session, buf);
                    if (spin > 0) spinUntil = System.nanoTime() + spin;
                }
            } finally {
                if (options.cloneFd()) {
                    self.device = -1;
                    DeviceIo.close(fd);
                } else {
                    LibFuse.free(fuse_buf.mem(buf));
                }
            }
        } catch (Throwable t) {
            LOG.severe("loop thread " + Thread.currentThread().getName() + " ended: " + t);
        }
        // One loop ending for any reason ends the session: a half-served mount helps nobody.
        LibFuse.fuse_session_exit(session);
    }

    /** Reads one request from our own fd into our own buffer, as fuse_session_receive_buf would. */
    private long receive(int fd, MemorySegment mem, MemorySegment buf, MemorySegment errno) {
        long n = DeviceIo.read(fd, mem, errno);
        if (n < 0) return n;
        if (n < IN_HEADER) return -Errno.EIO;
        fuse_buf.mem(buf, mem);
        fuse_buf.size(buf, n);
        fuse_buf.flags(buf, 0);
        return n;
    }

    /** sizeof(struct fuse_in_header) */
    private static final int IN_HEADER = 40;

    /**
     * Unmounts and wakes the loop threads. A detached mount that containers still hold through bind mounts
     * stays alive, so if the threads do not end, the connection is aborted through fusectl.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) return;
        LibFuse.fuse_session_exit(session);
        try (Arena call = Arena.ofConfined()) {
            LibFuse.umount2(call.allocateFrom(mountpoint.toString()), LibFuse.MNT_DETACH());
        }
        if (!awaitLoops(2, TimeUnit.SECONDS)) {
            abortConnection();
            awaitLoops(5, TimeUnit.SECONDS);
        }
    }

    private boolean awaitLoops(long time, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(time);
        for (Thread loop : loops) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            try {
                if (!loop.join(java.time.Duration.ofNanos(left))) return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void abortConnection() {
        if (connectionId < 0) return;
        Path abort = Path.of("/sys/fs/fuse/connections", Long.toString(connectionId), "abort");
        try {
            Files.writeString(abort, "1");
            LOG.info("aborted FUSE connection " + connectionId + " still held by bind mounts");
        } catch (IOException e) {
            LOG.warning("could not abort FUSE connection " + connectionId + ": " + e.getMessage());
        }
    }

    /** Frees the session; call after {@link #serve()} has returned. */
    @Override
    public void close() {
        stop();
        LibFuse.fuse_session_destroy(session);
        arena.close();
    }
}
