package io.proclens.handover;

import io.proclens.sys.Posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What the holder itself reads from and writes to the mounted /dev/fuse descriptor: two messages, no more; and
 * whether the kernel still serves it.
 */
final class FuseDevice {
    /** include/uapi/linux/fuse.h: enum fuse_notify_code, FUSE_NOTIFY_RESEND = 7 (protocol 7.40, Linux 6.9). */
    static final int FUSE_NOTIFY_RESEND = 7;
    /** The kernel refuses reads into less than this (FUSE_MIN_READ_BUFFER) or less than a request with max_write. */
    private static final int READ_BUFFER = (1 << 20) + (1 << 13);

    private FuseDevice() {
    }

    /** The first request of a fresh mount, which is the kernel's FUSE_INIT; read before any worker runs. */
    static byte[] readInit(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(READ_BUFFER, 8);
            long length = Posix.read(fd, buffer);
            return buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /**
     * Tells the kernel to queue again every request that was read from this connection and not answered (those a
     * killed worker held). A notification is a fuse_out_header alone: len 16, error = the notify code, unique 0.
     * Kernels before 6.9 do not know the code and refuse it with EINVAL.
     */
    static void resend(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(16, 8);
            ValueLayout.OfInt u32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
            header.set(u32, 0, 16);
            header.set(u32, 4, FUSE_NOTIFY_RESEND);
            header.set(ValueLayout.JAVA_LONG, 8, 0L);
            Posix.write(fd, header);
        }
    }

    /**
     * Whether the kernel has ended this connection: unmounted everywhere (bind mounts included) or aborted. The
     * kernel's poll of /dev/fuse answers POLLERR then; it reads nothing, so no request is taken from a worker.
     */
    static boolean connectionEnded(int fd) throws IOException {
        short events = Posix.poll(fd, Posix.POLLIN, 0);
        return (events & (Posix.POLLERR | Posix.POLLHUP | Posix.POLLNVAL)) != 0;
    }
}
