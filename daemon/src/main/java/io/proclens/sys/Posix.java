package io.proclens.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc calls the hand-over needs and the JDK does not offer: unix sockets that carry file descriptors
 * (SCM_RIGHTS), and plain read, write and poll of a descriptor number. Every call captures errno; a failure is a
 * {@link CallFailed}; the blocking ones are made again when a signal interrupts them.
 */
public final class Posix {
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_SEQPACKET = 5; // keeps message boundaries: one send is one receive
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int SHUT_RDWR = 2;

    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = call("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = call("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = call("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = call("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG = call("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = call("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = call("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = call("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EVENTFD = call("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final int EFD_CLOEXEC_NONBLOCK = 02000000 | 04000;
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    private Posix() {
    }

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return Libc.withErrno(name, descriptor);
    }

    public static int socket(int domain, int type) throws CallFailed {
        return (int) Libc.call("socket", (state, arena) -> (int) SOCKET.invokeExact(state, domain, type, 0));
    }

    public static void bind(int fd, MemorySegment address) throws CallFailed {
        Libc.call("bind", (state, arena) -> (int) BIND.invokeExact(state, fd, address, (int) address.byteSize()));
    }

    public static void listen(int fd, int backlog) throws CallFailed {
        Libc.call("listen", (state, arena) -> (int) LISTEN.invokeExact(state, fd, backlog));
    }

    public static int accept(int fd) throws CallFailed {
        return (int) Libc.callRetryingEintr("accept4", (state, arena) -> (int) ACCEPT4.invokeExact(state, fd,
                MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC));
    }

    public static void connect(int fd, MemorySegment address) throws CallFailed {
        Libc.call("connect", (state, arena) -> (int) CONNECT.invokeExact(state, fd, address, (int) address.byteSize()));
    }

    public static long sendmsg(int fd, MemorySegment msghdr) throws CallFailed {
        return Libc.callRetryingEintr("sendmsg", (state, arena) -> (long) SENDMSG.invokeExact(state, fd, msghdr, 0));
    }

    public static long recvmsg(int fd, MemorySegment msghdr) throws CallFailed {
        return Libc.callRetryingEintr("recvmsg",
                (state, arena) -> (long) RECVMSG.invokeExact(state, fd, msghdr, MSG_CMSG_CLOEXEC));
    }

    /** Wakes a thread blocked in accept or recvmsg on {@code fd}: close alone would not. Its failure is ignored. */
    public static void shutdown(int fd) {
        try {
            Libc.call("shutdown", (state, arena) -> (int) SHUTDOWN.invokeExact(state, fd, SHUT_RDWR));
        } catch (CallFailed ignored) {
            // not connected, or closed already: nobody to wake
        }
    }

    public static void close(int fd) {
        Libc.close(fd);
    }

    /** A non-blocking eventfd(2): {@link #signal} makes it readable for {@link #poll}, {@link #drain} resets it. */
    public static int eventfd() throws CallFailed {
        return (int) Libc.call("eventfd", (state, arena) -> (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC_NONBLOCK));
    }

    /** Adds one to an eventfd's count. */
    public static void signal(int eventfd) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1);
            write(eventfd, one);
        }
    }

    /** Resets an eventfd's count (nothing to reset is fine). */
    public static void drain(int eventfd) {
        try (Arena arena = Arena.ofConfined()) {
            read(eventfd, arena.allocate(JAVA_LONG));
        } catch (CallFailed e) {
            // EAGAIN: it was 0 already
        }
    }

    public static long read(int fd, MemorySegment buffer) throws CallFailed {
        return Libc.callRetryingEintr("read", (state, arena) -> (long) READ.invokeExact(state, fd, buffer, buffer.byteSize()));
    }

    /**
     * poll(2) of {@code count} {@code struct pollfd}s in {@code pollfds} (8 bytes each: fd, events, revents), waiting
     * at most {@code timeoutMillis} (-1: no limit); how many have events. A signal makes it return 0.
     */
    public static int pollAll(MemorySegment pollfds, int count, int timeoutMillis) throws CallFailed {
        try {
            return (int) Libc.call("poll", (state, args) -> (int) POLL.invokeExact(state, pollfds, (long) count,
                    timeoutMillis));
        } catch (CallFailed e) {
            if (e.errno() == Libc.EINTR) return 0;
            throw e;
        }
    }

    /** poll(2) of one descriptor for {@code events}, waiting at most {@code timeoutMillis}: the events it returned. */
    public static short poll(int fd, short events, int timeoutMillis) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4); // struct pollfd { int fd; short events; short revents; }
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, events);
            Libc.call("poll", (state, args) -> (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis));
            return pollfd.get(JAVA_SHORT, 6);
        }
    }

    public static long write(int fd, MemorySegment bytes) throws CallFailed {
        return Libc.callRetryingEintr("write", (state, arena) -> (long) WRITE.invokeExact(state, fd, bytes, bytes.byteSize()));
    }
}
