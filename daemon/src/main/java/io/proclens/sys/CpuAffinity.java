package io.proclens.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** sched_setaffinity(2) of the calling thread. */
public final class CpuAffinity {
    private static final MethodHandle SET = Libc.withErrno("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    private CpuAffinity() {
    }

    /** Keeps the calling thread on CPU {@code cpu}; fails (EINVAL) when that CPU is offline or not ours. */
    public static void pinCallingThread(int cpu) throws CallFailed {
        if (cpu < 0) throw new IllegalArgumentException("cpu " + cpu);
        long bytes = ((cpu / 64) + 1) * 8L; // a cpu_set_t as long as needed, in whole words
        Libc.call("sched_setaffinity", (state, arena) -> {
            MemorySegment mask = arena.allocate(bytes, 8);
            mask.set(JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            return (int) SET.invokeExact(state, 0, bytes, mask);
        });
    }
}
