package io.proclens.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** mmap(2) and munmap(2), read and write, as memory segments: of a descriptor, or anonymous. */
public final class Mappings {
    /** mmap's flags: a file's pages shared with it (and, with POPULATE, faulted in at once); private anonymous ones. */
    public static final int SHARED = 0x01, SHARED_POPULATE = 0x01 | 0x8000, PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;

    private static final MethodHandle MMAP = Libc.withErrno("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Libc.downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    private Mappings() {
    }

    /** {@code size} bytes of descriptor {@code fd} from {@code offset} (fd -1 with {@link #PRIVATE_ANONYMOUS}). */
    public static MemorySegment map(int fd, long size, long offset, int flags) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            MemorySegment at = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, size, PROT_READ_WRITE,
                    flags, fd, offset);
            if (at.address() == -1L) Libc.check("mmap", -1, state);
            return at.reinterpret(size);
        } catch (CallFailed | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code size} bytes of zeroed private memory; untouched pages cost nothing. */
    public static MemorySegment anonymous(long size) throws CallFailed {
        return map(-1, size, 0, PRIVATE_ANONYMOUS);
    }

    /** Unmaps a segment {@link #map} gave. */
    public static void unmap(MemorySegment mapped) {
        try {
            int ignored = (int) MUNMAP.invokeExact(mapped, mapped.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
