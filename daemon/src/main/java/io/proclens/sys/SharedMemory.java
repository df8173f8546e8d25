package io.proclens.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Memory that outlives a process: a memfd (memfd_create(2)) another process keeps and passes on, mapped shared by
 * whoever writes or reads it ({@link Mappings#unmap} ends a mapping).
 */
public final class SharedMemory {
    private static final int MFD_CLOEXEC = 1;

    private static final MethodHandle MEMFD_CREATE = Libc.withErrno("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = Libc.withErrno("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));

    private SharedMemory() {
    }

    /** A new memfd of {@code size} zero bytes, named {@code name} (seen in /proc/PID/fd). */
    public static int create(String name, long size) throws CallFailed {
        int fd = (int) Libc.call("memfd_create", (state, arena) ->
                (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), MFD_CLOEXEC));
        try {
            Libc.call("ftruncate", (state, arena) -> (int) FTRUNCATE.invokeExact(state, fd, size));
            return fd;
        } catch (CallFailed e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** Maps {@code size} bytes of memfd {@code fd}, shared: what is written there is the memfd's. */
    public static MemorySegment map(int fd, long size) throws CallFailed {
        return Mappings.map(fd, size, 0, Mappings.SHARED);
    }
}
