package io.proclens.fuse;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc calls on /dev/fuse that the loop makes itself (the generated bindings cover libfuse, not these).
 * Every call returns the result or {@code -errno}, so callers never look at a thread's errno.
 */
final class DeviceIo {
    /** _IOR(229, 0, uint32_t) from linux/fuse.h: a new fd on the connection of the fd it is given. */
    static final long FUSE_DEV_IOC_CLONE = (2L << 30) | (4L << 16) | (229L << 8);
    static final int O_RDWR = 02, O_NONBLOCK = 04000, O_CLOEXEC = 02000000; // the same on x86-64 and aarch64
    static final int F_GETFL = 3, F_SETFL = 4;
    static final short POLLIN = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = libc("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = libc("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = libc("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            CAPTURE_ERRNO);
    private static final MethodHandle WRITEV = libc("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle POLL = libc("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPAGESIZE = libc("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle ERRNO_LOCATION = libc("__errno_location", FunctionDescriptor.of(ADDRESS));

    /** struct pollfd { int fd; short events; short revents; } */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

    private DeviceIo() {
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), descriptor,
                options);
    }

    /** libc's read(2) itself, for a libfuse callback slot that must not be empty but is never called. */
    static MemorySegment readSymbol() {
        return LIBC.find("read").orElseThrow();
    }

    /** A per-thread place for the errno a call leaves behind. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(ERRNO_STATE);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** A new fd on the connection of {@code sessionFd}: its own queue of requests being processed, its own replies. */
    static int cloneDevice(int sessionFd, boolean nonBlocking) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoState(call);
            int flags = O_RDWR | O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0);
            int fd = (int) OPEN.invokeExact(state, call.allocateFrom("/dev/fuse"), flags, 0);
            if (fd < 0) return -errno(state);
            MemorySegment source = call.allocateFrom(JAVA_INT, sessionFd);
            if ((int) IOCTL.invokeExact(state, fd, FUSE_DEV_IOC_CLONE, source) < 0) {
                int err = errno(state);
                close(fd);
                return -err;
            }
            return fd;
        } catch (Throwable t) {
            throw new IllegalStateException("cloning /dev/fuse", t);
        }
    }

    static int setNonBlocking(int fd) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = errnoState(call);
            int flags = (int) FCNTL.invokeExact(state, fd, F_GETFL, 0);
            if (flags < 0) return -errno(state);
            if ((int) FCNTL.invokeExact(state, fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno(state);
            return 0;
        } catch (Throwable t) {
            throw new IllegalStateException("fcntl", t);
        }
    }

    /** read(2) into {@code into}; the byte count or -errno. */
    static long read(int fd, MemorySegment into, MemorySegment errnoState) {
        try {
            long n = (long) READ.invokeExact(errnoState, fd, into, into.byteSize());
            return n < 0 ? -errno(errnoState) : n;
        } catch (Throwable t) {
            throw new IllegalStateException("read", t);
        }
    }

    /** writev(2); the byte count or -errno. */
    static long writev(int fd, MemorySegment iov, int count, MemorySegment errnoState) {
        try {
            long n = (long) WRITEV.invokeExact(errnoState, fd, iov, count);
            return n < 0 ? -errno(errnoState) : n;
        } catch (Throwable t) {
            throw new IllegalStateException("writev", t);
        }
    }

    /** Waits until {@code pollfd}'s fd is readable (or failed, or {@code timeoutMillis} passed). */
    static int poll(MemorySegment pollfd, int timeoutMillis, MemorySegment errnoState) {
        try {
            int n = (int) POLL.invokeExact(errnoState, pollfd, 1L, timeoutMillis);
            return n < 0 ? -errno(errnoState) : n;
        } catch (Throwable t) {
            throw new IllegalStateException("poll", t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close", t);
        }
    }

    static int pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("getpagesize", t);
        }
    }

    /** Sets the calling thread's errno, for a callback that tells its C caller why it failed. */
    static void setErrno(int value) {
        try {
            MemorySegment location = (MemorySegment) ERRNO_LOCATION.invokeExact();
            location.reinterpret(4).set(JAVA_INT, 0, value);
        } catch (Throwable t) {
            throw new IllegalStateException("__errno_location", t);
        }
    }
}
