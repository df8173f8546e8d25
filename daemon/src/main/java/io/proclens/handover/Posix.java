package io.proclens.handover;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls the hand-over needs and the JDK does not offer: unix sockets that carry file descriptors
 * (SCM_RIGHTS), and plain read/write/close of a descriptor number. Hand-written downcalls through the C library the
 * JVM already links (no generated bindings: libfuse's header declares none of these). Every call captures errno.
 */
final class Posix {
    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5; // keeps message boundaries: one send is one receive
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int SHUT_RDWR = 2;
    static final int EINTR = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

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
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Posix() {
    }

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor,
                Linker.Option.captureCallState("errno"));
    }

    /** A failed call: its name and errno. */
    static final class Failure extends java.io.IOException {
        final int errno;

        Failure(String call, int errno) {
            super(call + ": " + describe(errno));
            this.errno = errno;
        }
    }

    static String describe(int errno) {
        try {
            return ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** The result of one captured call: its value, and errno when the value says it failed. */
    private static long check(String name, long result, MemorySegment state) throws Failure {
        if (result >= 0) return result;
        throw new Failure(name, (int) ERRNO.get(state, 0L));
    }

    static int socket(int domain, int type) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            return (int) check("socket", (int) SOCKET.invokeExact(state, domain, type, 0), state);
        } catch (Failure f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void bind(int fd, MemorySegment address) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            check("bind", (int) BIND.invokeExact(state, fd, address, (int) address.byteSize()), state);
        } catch (Failure f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void listen(int fd, int backlog) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            check("listen", (int) LISTEN.invokeExact(state, fd, backlog), state);
        } catch (Failure f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int accept(int fd) throws Failure {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CAPTURE);
                return (int) check("accept4", (int) ACCEPT4.invokeExact(state, fd, MemorySegment.NULL,
                        MemorySegment.NULL, SOCK_CLOEXEC), state);
            } catch (Failure f) {
                if (f.errno != EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    static void connect(int fd, MemorySegment address) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            check("connect", (int) CONNECT.invokeExact(state, fd, address, (int) address.byteSize()), state);
        } catch (Failure f) {
            throw f;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long sendmsg(int fd, MemorySegment msghdr) throws Failure {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CAPTURE);
                return check("sendmsg", (long) SENDMSG.invokeExact(state, fd, msghdr, 0), state);
            } catch (Failure f) {
                if (f.errno != EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    static long recvmsg(int fd, MemorySegment msghdr) throws Failure {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CAPTURE);
                return check("recvmsg", (long) RECVMSG.invokeExact(state, fd, msghdr, MSG_CMSG_CLOEXEC), state);
            } catch (Failure f) {
                if (f.errno != EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** Wakes a thread blocked in accept or recvmsg on {@code fd}: close alone would not. */
    static void shutdown(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(arena.allocate(CAPTURE), fd, SHUT_RDWR);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        if (fd < 0) return;
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long read(int fd, MemorySegment buffer) throws Failure {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CAPTURE);
                return check("read", (long) READ.invokeExact(state, fd, buffer, buffer.byteSize()), state);
            } catch (Failure f) {
                if (f.errno != EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    static long write(int fd, MemorySegment bytes) throws Failure {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CAPTURE);
                return check("write", (long) WRITE.invokeExact(state, fd, bytes, bytes.byteSize()), state);
            } catch (Failure f) {
                if (f.errno != EINTR) throw f;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
