package io.proclens.handover;

import io.proclens.sys.CallFailed;
import io.proclens.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The few libc calls the hand-over needs and the JDK does not offer: unix sockets that carry file descriptors
 * (SCM_RIGHTS), and plain read/write/close of a descriptor number. Hand-written downcalls through the C library the
 * JVM already links (see {@link Libc}). Every call captures errno; a failure is a {@link CallFailed}.
 */
final class Posix {
    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5; // keeps message boundaries: one send is one receive
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int SHUT_RDWR = 2;

    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = call("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = call("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = call("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = call("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG = call("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = call("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = call("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = call("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;

    private Posix() {
    }

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return Libc.withErrno(name, descriptor);
    }

    private static long check(String name, long result, MemorySegment state) throws CallFailed {
        return Libc.check(name, result, state);
    }

    static int socket(int domain, int type) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            return (int) check("socket", (int) SOCKET.invokeExact(state, domain, type, 0), state);
        } catch (CallFailed f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void bind(int fd, MemorySegment address) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            check("bind", (int) BIND.invokeExact(state, fd, address, (int) address.byteSize()), state);
        } catch (CallFailed f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void listen(int fd, int backlog) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            check("listen", (int) LISTEN.invokeExact(state, fd, backlog), state);
        } catch (CallFailed f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int accept(int fd) throws CallFailed {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = Libc.callState(arena);
                return (int) check("accept4", (int) ACCEPT4.invokeExact(state, fd, MemorySegment.NULL,
                        MemorySegment.NULL, SOCK_CLOEXEC), state);
            } catch (CallFailed f) {
                if (f.errno() != Libc.EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    static void connect(int fd, MemorySegment address) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            check("connect", (int) CONNECT.invokeExact(state, fd, address, (int) address.byteSize()), state);
        } catch (CallFailed f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long sendmsg(int fd, MemorySegment msghdr) throws CallFailed {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = Libc.callState(arena);
                return check("sendmsg", (long) SENDMSG.invokeExact(state, fd, msghdr, 0), state);
            } catch (CallFailed f) {
                if (f.errno() != Libc.EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    static long recvmsg(int fd, MemorySegment msghdr) throws CallFailed {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = Libc.callState(arena);
                return check("recvmsg", (long) RECVMSG.invokeExact(state, fd, msghdr, MSG_CMSG_CLOEXEC), state);
            } catch (CallFailed f) {
                if (f.errno() != Libc.EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** Wakes a thread blocked in accept or recvmsg on {@code fd}: close alone would not. */
    static void shutdown(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(Libc.callState(arena), fd, SHUT_RDWR);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        if (fd < 0) return;
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(Libc.callState(arena), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long read(int fd, MemorySegment buffer) throws CallFailed {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = Libc.callState(arena);
                return check("read", (long) READ.invokeExact(state, fd, buffer, buffer.byteSize()), state);
            } catch (CallFailed f) {
                if (f.errno() != Libc.EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** poll(2) of one descriptor for {@code events}, waiting at most {@code timeoutMillis}: the events it returned. */
    static short poll(int fd, short events, int timeoutMillis) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4); // struct pollfd { int fd; short events; short revents; }
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, events);
            MemorySegment state = Libc.callState(arena);
            check("poll", (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis), state);
            return pollfd.get(JAVA_SHORT, 6);
        } catch (CallFailed f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long write(int fd, MemorySegment bytes) throws CallFailed {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = Libc.callState(arena);
                return check("write", (long) WRITE.invokeExact(state, fd, bytes, bytes.byteSize()), state);
            } catch (CallFailed f) {
                if (f.errno() != Libc.EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
