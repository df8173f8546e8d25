package io.proclens.fuse;

import io.proclens.bindings.LibFuse;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Replies on the cloned /dev/fuse fd of the thread that read the request.
 *
 * <p>The kernel keeps the requests being processed per fd: a reply written to another fd of the same
 * connection finds no request and fails with ENOENT. libfuse routes a reply to the fd of the request's
 * channel, but its public API has no way to hand it a channel: fuse_session_process_buf() always passes none,
 * so every reply goes to the session fd. What the public API does have is custom I/O
 * (fuse_session_custom_io, libfuse 3.14+), whose writev gets every reply. Ours writes it to the calling
 * thread's clone. That is right because our upcalls reply on the thread that received the request.
 */
final class ClonedDevices {
    /** struct fuse_custom_io { writev, read, splice_receive, splice_send }: four function pointers. */
    private static final long CUSTOM_IO_SIZE = 4 * ADDRESS.byteSize();

    private ClonedDevices() {
    }

    /** Installs the reply routing; call after fuse_session_mount(), before any request is read. */
    static void routeReplies(MemorySegment session, Arena arena) {
        MemorySegment io = arena.allocate(CUSTOM_IO_SIZE, ADDRESS.byteAlignment());
        io.set(ADDRESS, 0, writevStub(arena));
        // read must not be empty, but libfuse only calls it from fuse_session_receive_buf, which the loop
        // does not call with cloned fds; libc's read ignores the extra userdata argument.
        io.set(ADDRESS, ADDRESS.byteSize(), DeviceIo.readSymbol());
        MethodHandle customIo = Linker.nativeLinker().downcallHandle(
                SymbolLookup.loaderLookup().findOrThrow("fuse_session_custom_io"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        int result;
        try {
            // The same fd as before: custom I/O only adds the callbacks (and fuse_session_destroy closes it once).
            result = (int) customIo.invokeExact(session, io, LibFuse.fuse_session_fd(session));
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_session_custom_io", t);
        }
        if (result != 0) throw new IllegalStateException("fuse_session_custom_io failed: " + result);
    }

    private static MemorySegment writevStub(Arena arena) {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(ClonedDevices.class, "writev",
                    MethodType.methodType(long.class, int.class, MemorySegment.class, int.class, MemorySegment.class));
            return Linker.nativeLinker().upcallStub(target,
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The custom writev: to this loop thread's clone; from any other thread (none today), to the session fd. */
    private static long writev(int sessionFd, MemorySegment iov, int count, MemorySegment userdata) {
        try {
            if (Thread.currentThread() instanceof LoopThread loop && loop.device >= 0) {
                long written = DeviceIo.writev(loop.device, iov, count, loop.errno);
                if (written >= 0) return written;
                DeviceIo.setErrno((int) -written); // libfuse logs errno, except ENOENT (an interrupted request)
                return -1;
            }
            try (Arena call = Arena.ofConfined()) {
                long written = DeviceIo.writev(sessionFd, iov, count, DeviceIo.errnoState(call));
                if (written >= 0) return written;
                DeviceIo.setErrno((int) -written);
                return -1;
            }
        } catch (Throwable t) { // an exception escaping an upcall would end the JVM
            DeviceIo.setErrno(Errno.EIO);
            return -1;
        }
    }
}
