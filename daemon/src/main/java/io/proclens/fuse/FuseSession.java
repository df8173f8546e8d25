package io.proclens.fuse;

import io.proclens.bindings.LibFuse;
import io.proclens.bindings.fuse_args;
import io.proclens.bindings.fuse_buf;
import io.proclens.bindings.fuse_lowlevel_ops;
import io.proclens.fs.Filesystem;
import io.proclens.mounts.MountException;
import io.proclens.mounts.Mountpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    private final Arena arena;
    private final MemorySegment session;
    private final Path mountpoint;
    private final long connectionId;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<Thread> loops = new CopyOnWriteArrayList<>(); // written by serve(), read by stop()
    private volatile String ended; // why the first loop thread ended, for the log
    private final RingTransport ring; // null: libfuse's loop on /dev/fuse

    private FuseSession(Arena arena, MemorySegment session, Path mountpoint, long connectionId) {
        this(arena, session, mountpoint, connectionId, null);
    }

    private FuseSession(Arena arena, MemorySegment session, Path mountpoint, long connectionId, RingTransport ring) {
        this.arena = arena;
        this.session = session;
        this.mountpoint = mountpoint;
        this.connectionId = connectionId;
        this.ring = ring;
    }

    /**
     * As {@link #mount}, served over FUSE over io_uring ({@link RingTransport}) where the kernel offers it and over
     * our own /dev/fuse loop where not: libfuse only mounts; INIT and every request are answered by us.
     */
    public static FuseSession mountOverRing(Path mountpoint, Filesystem fs, RequestMetrics metrics, boolean debug)
            throws MountException {
        Device device = mountDevice(mountpoint, debug);
        try {
            RingTransport ring = RingTransport.negotiate(device.fd(), new WireOperations(fs, metrics), debug);
            return new FuseSession(device.arena(), device.session(), mountpoint, device.connectionId(), ring);
        } catch (MountException | RuntimeException e) {
            Mountpoint.detachTop(mountpoint);
            device.close();
            throw e;
        }
    }

    /** Whether requests come over io_uring (see {@link #mountOverRing}). */
    public boolean overRing() {
        return ring != null && ring.overRing();
    }

    /**
     * Creates the session and mounts it at {@code mountpoint}, which must be an existing, unused directory.
     *
     * @param metrics where each request is counted and timed ({@link RequestMetrics#OFF}: nowhere)
     * @throws MountException with a one-line reason when libfuse refuses
     */
    public static FuseSession mount(Path mountpoint, Filesystem fs, RequestMetrics metrics, boolean debug)
            throws MountException {
        if (LibfuseLoader.load().isEmpty()) throw new MountException("libfuse3 is not installed: apt-get install fuse3");
        Arena arena = Arena.ofShared();
        boolean mounted = false;
        try {
            MemorySegment session = mountedSession(arena, new Operations(fs, metrics).table(arena), mountpoint, debug);
            mounted = true;
            // Not a stat of the mountpoint: that would wait for this very session to answer.
            long connection = Mountpoint.connectionId(mountpoint);
            return new FuseSession(arena, session, mountpoint, connection);
        } finally {
            if (!mounted) arena.close();
        }
    }

    /** A libfuse session with {@code ops}, mounted at {@code mountpoint}; its native state lives in {@code arena}. */
    private static MemorySegment mountedSession(Arena arena, MemorySegment ops, Path mountpoint, boolean debug)
            throws MountException {
        MemorySegment args = arguments(arena, debug);
        MemorySegment session = SessionFactory.newSession(args, ops, fuse_lowlevel_ops.sizeof(), arena);
        LibFuse.fuse_opt_free_args(args); // the session has parsed them; free what libfuse may have copied
        if (session.equals(MemorySegment.NULL)) {
            throw new MountException("libfuse refused the session options (" + MOUNT_OPTIONS + ")");
        }
        if (LibFuse.fuse_session_mount(session, arena.allocateFrom(mountpoint.toString())) != 0) {
            LibFuse.fuse_session_destroy(session);
            throw new MountException("mounting at " + mountpoint + " failed (libfuse printed why above)");
        }
        return session;
    }

    /**
     * A mounted /dev/fuse descriptor that nothing serves yet: what the hand-over holder keeps. The session exists only
     * to mount with libfuse's options; it has no ops and never reads. Closing the returned device closes the
     * descriptor, and with the last copy of it the connection.
     */
    public static Device mountDevice(Path mountpoint, boolean debug) throws MountException {
        if (LibfuseLoader.load().isEmpty()) throw new MountException("libfuse3 is not installed: apt-get install fuse3");
        Arena arena = Arena.ofShared();
        boolean mounted = false;
        try {
            MemorySegment session = mountedSession(arena, fuse_lowlevel_ops.allocate(arena), mountpoint, debug);
            mounted = true;
            return new Device(arena, session, LibFuse.fuse_session_fd(session), Mountpoint.connectionId(mountpoint));
        } finally {
            if (!mounted) arena.close();
        }
    }

    /** The holder's mounted descriptor ({@link #mountDevice}). */
    public record Device(Arena arena, MemorySegment session, int fd, long connectionId) implements AutoCloseable {
        /** Closes the descriptor (libfuse's session owns it): the mount dies once no worker holds a copy. */
        @Override
        public void close() {
            LibFuse.fuse_session_destroy(session);
            arena.close();
        }
    }

    /**
     * A session that serves a descriptor mounted by someone else ({@code fd}, ours to keep; libfuse takes it as
     * mountpoint "/dev/fd/N" and then neither mounts nor unmounts). The kernel sent FUSE_INIT once, to the first
     * server: libfuse refuses every request until it has processed one, so we feed it that first INIT request
     * ({@code init}, as the holder read it). When {@code answerInit} the kernel still waits for its answer and gets
     * it; otherwise the copy gets a request id the kernel never gave out, so libfuse's reply is refused by the kernel
     * with ENOENT, which libfuse ignores ("interrupted"): the session is in the negotiated state, the kernel unchanged.
     * The same libfuse answering the same INIT negotiates the same thing; a newer libfuse could want more, but the
     * kernel keeps what the first answer said.
     *
     * @param mountpoint where the descriptor is mounted: what {@link #stop()} unmounts
     */
    public static FuseSession takeOver(int fd, Path mountpoint, Filesystem fs, byte[] init, boolean answerInit,
                                       boolean debug) throws MountException {
        return prepare(fs, RequestMetrics.OFF, debug).takeOver(fd, mountpoint, init, answerInit);
    }

    /**
     * The session and its upcall stubs, made before the descriptor comes (linking the stubs takes a cold JVM hundreds
     * of milliseconds): a standby worker is then a {@link Prepared#takeOver} away from serving.
     */
    public static Prepared prepare(Filesystem fs, RequestMetrics metrics, boolean debug) throws MountException {
        if (LibfuseLoader.load().isEmpty()) throw new MountException("libfuse3 is not installed: apt-get install fuse3");
        Arena arena = Arena.ofShared();
        try {
            MemorySegment args = arguments(arena, debug);
            MemorySegment ops = new Operations(fs, metrics).table(arena);
            MemorySegment session = SessionFactory.newSession(args, ops, fuse_lowlevel_ops.sizeof(), arena);
            LibFuse.fuse_opt_free_args(args);
            if (session.equals(MemorySegment.NULL)) {
                throw new MountException("libfuse refused the session options (" + MOUNT_OPTIONS + ")");
            }
            return new Prepared(arena, session);
        } catch (MountException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** A session with nothing to serve yet; see {@link #prepare}. */
    public static final class Prepared {
        private final Arena arena;
        private final MemorySegment session;

        private Prepared(Arena arena, MemorySegment session) {
            this.arena = arena;
            this.session = session;
        }

        /** Serves {@code fd}, once; see {@link FuseSession#takeOver(int, Path, Filesystem, byte[], boolean, boolean)}. */
        public FuseSession takeOver(int fd, Path mountpoint, byte[] init, boolean answerInit) throws MountException {
            boolean served = false;
            try {
                if (init.length < InitRequest.MIN_LENGTH || InitRequest.opcode(init) != InitRequest.FUSE_INIT) {
                    throw new MountException("the hand-over brought no FUSE_INIT request");
                }
                if (LibFuse.fuse_session_mount(session, arena.allocateFrom("/dev/fd/" + fd)) != 0) {
                    throw new MountException("libfuse refused the handed-over descriptor " + fd);
                }
                byte[] request = answerInit ? init : InitRequest.withUnique(init, InitRequest.NEVER_ISSUED_UNIQUE);
                try (Arena call = Arena.ofConfined()) {
                    MemorySegment buf = fuse_buf.allocate(call);
                    MemorySegment bytes = call.allocate(request.length, 8);
                    MemorySegment.copy(request, 0, bytes, ValueLayout.JAVA_BYTE, 0, request.length);
                    fuse_buf.mem(buf, bytes);
                    fuse_buf.size(buf, request.length);
                    LibFuse.fuse_session_process_buf(session, buf);
                }
                if (LibFuse.fuse_session_exited(session) != 0) {
                    throw new MountException("libfuse refused the FUSE_INIT request of the hand-over");
                }
                served = true;
                return new FuseSession(arena, session, mountpoint, Mountpoint.connectionId(mountpoint));
            } finally {
                if (!served) {
                    LibFuse.fuse_session_destroy(session);
                    arena.close();
                }
            }
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

    /** Starts {@code threads} loop threads and blocks until all of them have ended (after {@link #stop()}). */
    public void serve(int threads) throws InterruptedException {
        if (ring != null) {
            loops.addAll(ring.threads(threads, this::ringThreadEnded));
            loops.forEach(Thread::start);
            for (Thread loop : loops) loop.join();
            LOG.info(ring.served());
            return;
        }
        for (int i = 0; i < threads; i++) {
            Thread loop = Thread.ofPlatform().name("fuse-loop-" + i).unstarted(this::loop);
            loops.add(loop);
            loop.start();
        }
        for (Thread loop : loops) loop.join();
    }

    /*
     * The plainest loop: receive, process, on one platform thread. More threads than CPUs, a cloned /dev/fuse fd per
     * thread, splice and polling before sleeping were all slower on the benchmarks (docs/benchmarks.md). A cloned fd
     * would also need every reply routed through a custom writev: the kernel finds a request only on the fd it was
     * read from.
     */
    private void loop() {
        try (Arena own = Arena.ofConfined()) {
            MemorySegment buf = fuse_buf.allocate(own); // zeroed: libfuse allocates mem on first receive
            try {
                while (!stopping.get() && LibFuse.fuse_session_exited(session) == 0) {
                    int received = LibFuse.fuse_session_receive_buf(session, buf);
                    if (received == -Errno.EINTR || received == -Errno.EAGAIN) continue;
                    if (received <= 0) {
                        endedBy(received == 0 ? "the filesystem was unmounted or the session exited"
                                : "receiving failed with errno " + -received);
                        if (received < 0 && received != -Errno.ENODEV && !stopping.get()) {
                            LOG.warning("receiving from /dev/fuse failed: errno " + -received);
                        }
                        break; // 0 or ENODEV: the filesystem was unmounted
                    }
                    LibFuse.fuse_session_process_buf(session, buf);
                }
            } finally {
                LibFuse.free(fuse_buf.mem(buf));
            }
        } catch (Throwable t) {
            endedBy(t.toString());
            LOG.severe("loop thread " + Thread.currentThread().getName() + " ended: " + t);
        }
        endedBy(stopping.get() ? "stopped" : "the session exited");
        // One loop ending for any reason ends the session: a half-served mount helps nobody.
        LibFuse.fuse_session_exit(session);
    }

    /**
     * A ring thread's end. One that failed leaves its queue's readers unanswered (the kernel routes by CPU), so the
     * connection is aborted: a half-served mount helps nobody, and {@link #aborted()} then says so.
     */
    private void ringThreadEnded(String reason, boolean failed) {
        endedBy(reason);
        if (failed && !stopping.get()) {
            LOG.severe("serving thread " + Thread.currentThread().getName() + " ended: " + reason);
            abortConnection();
        }
    }

    private void endedBy(String reason) {
        if (ended == null) ended = reason;
    }

    /**
     * After {@link #serve(int)}: whether the kernel ended the connection while the mount was still there (aborted
     * through fusectl), rather than a stop or an unmount; the mount is dead then.
     */
    public boolean aborted() {
        return !stopping.get() && Mountpoint.isOurs(mountpoint, connectionId);
    }

    /** Why serving ended (the first loop thread's reason), or null while it goes on. */
    public String endedBy() {
        return ended;
    }

    /**
     * Unmounts and wakes the loop threads. A detached mount that containers still hold through bind mounts
     * stays alive, so if the threads do not end, the connection is aborted through fusectl.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) return;
        LibFuse.fuse_session_exit(session);
        unmount();
        if (!awaitLoops(2, TimeUnit.SECONDS)) {
            abortConnection();
            awaitLoops(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Stops serving without unmounting, for a successor that has taken the descriptor over: each loop thread ends
     * after the request in hand; waits up to {@code time} for them. Threads still blocked in read() hold no request;
     * the caller then exits, and a request read in that last instant is resent by the kernel on the holder's
     * FUSE_NOTIFY_RESEND.
     */
    public boolean retire(long time, TimeUnit unit) {
        if (!stopping.compareAndSet(false, true)) return false;
        LibFuse.fuse_session_exit(session);
        return awaitLoops(time, unit);
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

    /** Detaches our mount, and says so when it is still there afterwards (it must never be left silently). */
    private void unmount() {
        Optional<String> failure = Mountpoint.detachTop(mountpoint);
        if (Mountpoint.isOurs(mountpoint, connectionId)) {
            LOG.warning("umount2(" + mountpoint + ") " + failure.orElse("succeeded") + " and the mount is still there; trying again");
            Mountpoint.detachTop(mountpoint);
        }
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

    /** Frees the session; call after {@link #serve(int)} has returned. */
    @Override
    public void close() {
        stop();
        LibFuse.fuse_session_destroy(session);
        arena.close();
    }
}
