package io.proclens.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A seccomp user-notification listener's ioctls (Linux 5.0+; uapi {@code linux/seccomp.h}) and the writes into the
 * target's memory that answering needs. A notification is {@code struct seccomp_notif}: id, pid (of the target
 * thread, in our pid namespace), flags, then {@code struct seccomp_data}: nr, arch, instruction pointer, args[6].
 */
public final class SeccompNotifications {
    /** sizeof(struct seccomp_notif) and its fields. */
    public static final int NOTIF_SIZE = 80;
    public static final long NOTIF_ID = 0, NOTIF_PID = 8, NOTIF_NR = 16, NOTIF_ARCH = 20, NOTIF_ARGS = 32;
    /** The response that lets the target run the real system call. */
    public static final int FLAG_CONTINUE = 1;

    private static final long IOCTL_RECV = 0xc0502100L; // _IOWR('!', 0, struct seccomp_notif)
    private static final long IOCTL_SEND = 0xc0182101L; // _IOWR('!', 1, struct seccomp_notif_resp)
    private static final long IOCTL_ID_VALID = 0x40082102L; // _IOW('!', 2, __u64)
    private static final long IOCTL_SET_FLAGS = 0x40082104L; // _IOW('!', 4, __u64), the flags passed by value
    private static final long USER_NOTIF_FD_SYNC_WAKE_UP = 1;
    private static final long SYS_SECCOMP = System.getProperty("os.arch").equals("aarch64") ? 277 : 317;
    private static final int SECCOMP_GET_NOTIF_SIZES = 3;
    private static final int WRITE_ONLY_CLOSE_ON_EXEC = 01 | 02000000;

    private static final MethodHandle IOCTL = Libc.withErrno("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle OPEN = Libc.withErrno("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PWRITE = Libc.withErrno("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SECCOMP = Libc.withErrno("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(1));

    private SeccompNotifications() {
    }

    /**
     * One thread's calls on listeners: the call state, the response, the id cell and the path are allocated once, so
     * that answering a notification allocates nothing (an arena per call cost more than the calls themselves).
     * Confined to the thread that made it.
     */
    public static final class Calls implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment state = Libc.callState(arena);
        private final MemorySegment response = arena.allocate(24, 8); // id, val, error, flags
        private final MemorySegment idCell = arena.allocate(JAVA_LONG);
        private final MemorySegment path = arena.allocate(64);

        /**
         * Receives the next notification of listener {@code fd} into {@code notif} ({@link #NOTIF_SIZE} bytes,
         * zeroed first as the kernel demands). Blocks while there is none.
         *
         * @throws CallFailed ENOENT when the target went away before it could be received (receive the next one)
         */
        public void receive(int fd, MemorySegment notif) throws CallFailed {
            notif.asSlice(0, NOTIF_SIZE).fill((byte) 0);
            while (true) {
                int result = ioctl(fd, IOCTL_RECV, notif);
                if (result >= 0) return;
                failed("SECCOMP_IOCTL_NOTIF_RECV");
            }
        }

        /**
         * Answers notification {@code id}: the system call returns {@code value}, or fails with {@code error} (a
         * negative errno), or with {@link #FLAG_CONTINUE} runs for real.
         *
         * @throws CallFailed ENOENT when the target is gone (killed while it waited): nothing to answer
         */
        public void send(int fd, long id, long value, int error, int flags) throws CallFailed {
            response.set(JAVA_LONG, 0, id);
            response.set(JAVA_LONG, 8, value);
            response.set(JAVA_INT, 16, error);
            response.set(JAVA_INT, 20, flags);
            while (ioctl(fd, IOCTL_SEND, response) < 0) failed("SECCOMP_IOCTL_NOTIF_SEND");
        }

        /**
         * Asks the kernel to wake the caller on the answering thread's CPU, and us on the caller's (Linux 6.6,
         * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP): a call and its answer then skip a migration each. False where the
         * kernel lacks it; nothing else changes then.
         */
        public boolean wakeOnTheSameCpu(int fd) {
            return ioctl(fd, IOCTL_SET_FLAGS, MemorySegment.ofAddress(USER_NOTIF_FD_SYNC_WAKE_UP)) >= 0;
        }

        /** Whether notification {@code id} still waits for its answer (its target is still blocked in the call). */
        public boolean waiting(int fd, long id) {
            idCell.set(JAVA_LONG, 0, id);
            while (true) {
                if (ioctl(fd, IOCTL_ID_VALID, idCell) >= 0) return true;
                if (Libc.errno(state) != Libc.EINTR) return false;
            }
        }

        /**
         * Writes {@code bytes} at {@code address} in the memory of the thread of notification {@code id}, and
         * nowhere else: its /proc/TID/mem is opened first and the notification checked afterwards, so that the file
         * is the target's and not a process that took its tid after it was killed (the check of seccomp_unotify(2)).
         *
         * @return false when the notification no longer waits (nothing was written)
         * @throws CallFailed when the write failed (EFAULT, EIO: the address is not writable memory of the target)
         */
        public boolean writeToTarget(int listener, long id, int tid, long address, MemorySegment bytes)
                throws CallFailed {
            path.setString(0, "/proc/" + tid + "/mem");
            int mem;
            try {
                while ((mem = (int) OPEN.invokeExact(state, path, WRITE_ONLY_CLOSE_ON_EXEC, 0)) < 0) {
                    failed("open /proc/" + tid + "/mem");
                }
            } catch (CallFailed | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            try {
                if (!waiting(listener, id)) return false;
                long written;
                try {
                    while ((written = (long) PWRITE.invokeExact(state, mem, bytes, bytes.byteSize(), address)) < 0) {
                        failed("pwrite to /proc/" + tid + "/mem");
                    }
                } catch (CallFailed | RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
                if (written != bytes.byteSize()) throw new CallFailed("pwrite to /proc/" + tid + "/mem", 5); // EIO
                return true;
            } finally {
                Libc.close(mem);
            }
        }

        private int ioctl(int fd, long request, MemorySegment argument) {
            try {
                return (int) IOCTL.invokeExact(state, fd, request, argument);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /** Returns when the last call was interrupted (call again); throws its failure otherwise. */
        private void failed(String call) throws CallFailed {
            int errno = Libc.errno(state);
            if (errno != Libc.EINTR) throw new CallFailed(call, errno);
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** The kernel's {seccomp_notif, seccomp_notif_resp, seccomp_data} sizes (seccomp(2) SECCOMP_GET_NOTIF_SIZES). */
    public static short[] sizes() throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizes = arena.allocate(6, 2);
            Libc.call("seccomp(SECCOMP_GET_NOTIF_SIZES)", (state, a) ->
                    (long) SECCOMP.invokeExact(state, SYS_SECCOMP, SECCOMP_GET_NOTIF_SIZES, 0, sizes));
            return new short[]{sizes.get(JAVA_SHORT, 0), sizes.get(JAVA_SHORT, 2), sizes.get(JAVA_SHORT, 4)};
        }
    }
}
