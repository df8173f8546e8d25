package io.proclens.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Hand-written downcalls into the C library the JVM already links (libfuse's header, our generated bindings,
 * declares none of these calls), and errno: a handle made by {@link #withErrno} takes a call-state segment first;
 * {@link #call} makes one call through it (an arena for its arguments, errno captured, a negative result turned
 * into a {@link CallFailed}), {@link #callRetryingEintr} the same again while a signal interrupts it.
 */
public final class Libc {
    public static final int EINTR = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {
    }

    /** A handle to the C library's {@code name}; errors only as its result says. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, options);
    }

    /** A handle to the C library's {@code name} that also captures errno into the segment passed first. */
    public static MethodHandle withErrno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = Linker.Option.captureCallState("errno");
        return downcall(name, descriptor, all);
    }

    /** One call through a handle made by {@link #withErrno}: {@code state} goes first, {@code arena} holds arguments. */
    @FunctionalInterface
    public interface Invocation {
        long invoke(MemorySegment state, Arena arena) throws Throwable;
    }

    /**
     * Makes one call: its result, or a {@link CallFailed} with errno when the result is negative. A call that cannot
     * be made at all (a wrong handle type) is a bug: an {@link IllegalStateException}.
     */
    public static long call(String name, Invocation invocation) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState(arena);
            return check(name, invocation.invoke(state, arena), state);
        } catch (CallFailed | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** As {@link #call}, made again while it fails with EINTR: a signal arrived before the call did anything. */
    public static long callRetryingEintr(String name, Invocation invocation) throws CallFailed {
        while (true) {
            try {
                return call(name, invocation);
            } catch (CallFailed f) {
                if (f.errno() != EINTR) throw f;
            }
        }
    }

    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** close(2) of a descriptor we own; a negative one is none. Its failure leaves nothing to do: the number is gone. */
    public static void close(int fd) {
        if (fd < 0) return;
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Room for one call's errno. */
    public static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The result of a call, or its failure when the result is negative (errno read from {@code state}). */
    public static long check(String call, long result, MemorySegment state) throws CallFailed {
        if (result >= 0) return result;
        throw new CallFailed(call, errno(state));
    }

    /** The errno a call through a {@link #withErrno} handle left in {@code state}. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** strerror's text and the number: "Permission denied (errno 13)". */
    public static String describe(int errno) {
        try {
            return ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
