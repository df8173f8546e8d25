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
 * declares none of these calls), and errno: a handle made by {@link #withErrno} takes a call-state segment
 * ({@link #callState}) first, and {@link #check} turns a negative result into a {@link CallFailed}.
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

    /** Room for one call's errno. */
    public static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The result of a call, or its failure when the result is negative (errno read from {@code state}). */
    public static long check(String call, long result, MemorySegment state) throws CallFailed {
        if (result >= 0) return result;
        throw new CallFailed(call, (int) ERRNO.get(state, 0L));
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
