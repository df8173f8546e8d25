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
     * Receives the next notification of listener {@code fd} into {@code notif} ({@link #NOTIF_SIZE} bytes, zeroed
     * first as the kernel demands). Blocks while there is none.
     *
     * @throws CallFailed ENOENT when the target went away before it could be received (receive the next one)
     */
    public static void receive(int fd, MemorySegment notif) throws CallFailed {
        notif.asSlice(0, NOTIF_SIZE).fill((byte) 0);
        Libc.callRetryingEintr("SECCOMP_IOCTL_NOTIF_RECV", (state, arena) ->
                (int) IOCTL.invokeExact(state, fd, IOCTL_RECV, notif));
    }

    /**
     * Answers notification {@code id}: the system call returns {@code value}, or fails with {@code error} (a negative
     * errno), or with {@link #FLAG_CONTINUE} runs for real.
     *
     * @throws CallFailed ENOENT when the target is gone (killed while it waited): nothing to answer
     */
    public static void send(int fd, long id, long value, int error, int flags) throws CallFailed {
        Libc.callRetryingEintr("SECCOMP_IOCTL_NOTIF_SEND", (state, arena) -> {
            MemorySegment response = arena.allocate(24, 8); // id, val, error, flags
            response.set(JAVA_LONG, 0, id);
            response.set(JAVA_LONG, 8, value);
            response.set(JAVA_INT, 16, error);
            response.set(JAVA_INT, 20, flags);
            return (int) IOCTL.invokeExact(state, fd, IOCTL_SEND, response);
        });
    }

    /** Whether notification {@code id} still waits for its answer (its target is still blocked in the call). */
    public static boolean waiting(int fd, long id) {
        try {
            Libc.callRetryingEintr("SECCOMP_IOCTL_NOTIF_ID_VALID", (state, arena) -> {
                MemorySegment idCell = arena.allocate(JAVA_LONG);
                idCell.set(JAVA_LONG, 0, id);
                return (int) IOCTL.invokeExact(state, fd, IOCTL_ID_VALID, idCell);
            });
            return true;
        } catch (CallFailed e) {
            return false;
        }
    }

    /**
     * Writes {@code bytes} at {@code address} in the memory of the thread of notification {@code id}, and nowhere
     * else: its /proc/TID/mem is opened first and the notification checked afterwards, so that the file is the
     * target's and not a process that took its pid after it was killed (the check of seccomp_unotify(2)).
     *
     * @return false when the notification no longer waits (nothing was written)
     * @throws CallFailed when the write failed (EFAULT, EIO: the address is not writable memory of the target)
     */
    public static boolean writeToTarget(int listener, long id, int tid, long address, MemorySegment bytes)
            throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom("/proc/" + tid + "/mem");
            int mem = (int) Libc.callRetryingEintr("open " + "/proc/" + tid + "/mem", (state, a) ->
                    (int) OPEN.invokeExact(state, path, WRITE_ONLY_CLOSE_ON_EXEC, 0));
            try {
                if (!waiting(listener, id)) return false;
                long written = Libc.callRetryingEintr("pwrite to /proc/" + tid + "/mem", (state, a) ->
                        (long) PWRITE.invokeExact(state, mem, bytes, bytes.byteSize(), address));
                if (written != bytes.byteSize()) throw new CallFailed("pwrite to /proc/" + tid + "/mem", 5); // EIO
                return true;
            } finally {
                Libc.close(mem);
            }
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
