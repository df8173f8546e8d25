package io.proclens.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * open(2), pread(2) and close(2) on native buffers: a read of a small file without the Path, channel and buffer
 * objects of java.nio. Errors are a negative result only (errno is not kept): callers that must say what went wrong
 * retry through java.nio.
 */
public final class RawFiles {
    /** open(2)'s O_RDONLY | O_CLOEXEC, the same numbers on x86-64 and arm64 Linux. */
    private static final int READ_ONLY_CLOSE_ON_EXEC = 0 | 02000000;

    // open is variadic (the mode follows the flags), so the mode is declared as its first variadic argument.
    private static final MethodHandle OPEN = Libc.downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    // pread's buffer is passed as its address, a 64-bit integer like a pointer on the 64-bit ABIs we run on: a
    // short read goes on at an offset into the buffer without a slice object for it.
    private static final MethodHandle PREAD = Libc.downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private RawFiles() {
    }

    /**
     * Reads the file named by the NUL-terminated {@code path} into {@code buffer} from its start, up to the
     * buffer's size; the number of bytes read, or -1 on any error.
     */
    public static long read(MemorySegment path, MemorySegment buffer) {
        if (!buffer.isNative()) throw new IllegalArgumentException("not a native buffer");
        try {
            int fd = (int) OPEN.invokeExact(path, READ_ONLY_CLOSE_ON_EXEC, 0);
            if (fd < 0) return -1;
            long total = 0;
            try {
                while (total < buffer.byteSize()) {
                    long n = (long) PREAD.invokeExact(fd, buffer.address() + total, buffer.byteSize() - total, total);
                    if (n < 0) return -1;
                    if (n == 0) break;
                    total += n;
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd); // a read-only fd: nothing is lost if close fails
            }
            return total;
        } catch (Throwable t) {
            return -1;
        }
    }
}
