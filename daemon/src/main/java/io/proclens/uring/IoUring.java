package io.proclens.uring;

import io.proclens.sys.CallFailed;
import io.proclens.sys.Libc;
import io.proclens.sys.Mappings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One io_uring with 128-byte submission entries ({@code IORING_SETUP_SQE128}) and no submission index array
 * ({@code IORING_SETUP_NO_SQARRAY}, 6.6): entry {@code tail & mask} is the next one to fill. Used by one thread
 * (fill entries, {@link #submitAndWait}, read completions, {@link #advance}); the kernel is the other side, so the
 * shared heads and tails are read with acquire and written with release, as liburing does.
 *
 * <p>Layouts are the kernel's uapi {@code io_uring.h}; numbers are the generic syscall table's (x86-64 and arm64).
 */
public final class IoUring implements AutoCloseable {
    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = 426;
    private static final int SETUP_SQE128 = 1 << 10;
    private static final int SETUP_NO_SQARRAY = 1 << 16;
    private static final int FEAT_SINGLE_MMAP = 1;
    private static final int ENTER_GETEVENTS = 1;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_SQES = 0x10000000L;

    /** struct io_uring_params: 120 bytes; sq_off at 40, cq_off at 80 (each ten 32-bit words and a u64). */
    private static final int PARAMS_SIZE = 120;
    private static final int P_SQ_ENTRIES = 0, P_CQ_ENTRIES = 4, P_FLAGS = 8, P_FEATURES = 20;
    private static final int SQ_HEAD = 40, SQ_TAIL = 44, SQ_MASK = 48;
    private static final int CQ_HEAD = 80, CQ_TAIL = 84, CQ_MASK = 88, CQ_CQES = 100;

    public static final int SQE_SIZE = 128;
    /** struct io_uring_sqe's fields we fill. */
    public static final long SQE_OPCODE = 0, SQE_FD = 4, SQE_CMD_OP = 8, SQE_ADDR = 16, SQE_LEN = 24,
            SQE_USER_DATA = 32, SQE_CMD = 48;
    public static final byte OP_URING_CMD = 46;
    private static final int CQE_SIZE = 16;

    private static final MethodHandle SETUP = Libc.withErrno("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle ENTER = Libc.withErrno("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final int fd;
    private final MemorySegment rings; // the SQ and CQ rings, one mapping (FEAT_SINGLE_MMAP)
    private final MemorySegment sqes;
    private final MemorySegment cqes;
    private final int sqMask, cqMask, sqEntries;
    private final long sqHead, sqTail, cqHead, cqTail; // offsets in rings
    private final MemorySegment callState = Arena.ofAuto().allocate(Linker.Option.captureStateLayout());
    private int localTail; // entries filled, not yet published
    private int published;

    private IoUring(int fd, MemorySegment rings, MemorySegment sqes, MemorySegment params) {
        this.fd = fd;
        this.rings = rings;
        this.sqes = sqes;
        this.sqEntries = params.get(JAVA_INT, P_SQ_ENTRIES);
        this.sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, SQ_MASK));
        this.cqMask = rings.get(JAVA_INT, params.get(JAVA_INT, CQ_MASK));
        this.sqHead = params.get(JAVA_INT, SQ_HEAD);
        this.sqTail = params.get(JAVA_INT, SQ_TAIL);
        this.cqHead = params.get(JAVA_INT, CQ_HEAD);
        this.cqTail = params.get(JAVA_INT, CQ_TAIL);
        long cqesOffset = params.get(JAVA_INT, CQ_CQES);
        this.cqes = rings.asSlice(cqesOffset, (long) params.get(JAVA_INT, P_CQ_ENTRIES) * CQE_SIZE);
        this.localTail = (int) INT.getAcquire(rings, sqTail);
        this.published = localTail;
    }

    /** A ring of at least {@code entries} submission entries (and twice as many completion entries). */
    public static IoUring create(int entries) throws CallFailed {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
            params.set(JAVA_INT, P_FLAGS, SETUP_SQE128 | SETUP_NO_SQARRAY);
            int fd = (int) Libc.call("io_uring_setup", (state, a) ->
                    (long) SETUP.invokeExact(state, SYS_IO_URING_SETUP, entries, params));
            try {
                if ((params.get(JAVA_INT, P_FEATURES) & FEAT_SINGLE_MMAP) == 0) {
                    throw new CallFailed("io_uring_setup (no IORING_FEAT_SINGLE_MMAP)", 95); // EOPNOTSUPP
                }
                // Without a submission index array the completion ring is the larger part of the one mapping.
                long ringSize = params.get(JAVA_INT, CQ_CQES) + (long) params.get(JAVA_INT, P_CQ_ENTRIES) * CQE_SIZE;
                MemorySegment rings = Mappings.map(fd, ringSize, OFF_SQ_RING, Mappings.SHARED_POPULATE);
                MemorySegment sqes = Mappings.map(fd, (long) params.get(JAVA_INT, P_SQ_ENTRIES) * SQE_SIZE, OFF_SQES,
                        Mappings.SHARED_POPULATE);
                return new IoUring(fd, rings, sqes, params);
            } catch (CallFailed | RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        }
    }

    /** How many submission entries the kernel gave the ring. */
    public int capacity() {
        return sqEntries;
    }

    /**
     * The next submission entry, zeroed, to be filled before {@link #submitAndWait}; null when every entry is filled
     * and not yet taken by the kernel.
     */
    public MemorySegment nextEntry() {
        int head = (int) INT.getAcquire(rings, sqHead);
        if (localTail - head >= sqEntries) return null;
        MemorySegment sqe = sqes.asSlice((long) (localTail & sqMask) * SQE_SIZE, SQE_SIZE);
        sqe.fill((byte) 0);
        localTail++;
        return sqe;
    }

    /**
     * Publishes the filled entries and waits until at least one completion is there; returns at once when one is.
     *
     * @return false when the wait was interrupted by a signal (nothing lost: call again)
     */
    public boolean submitAndWait() throws CallFailed {
        INT.setRelease(rings, sqTail, localTail);
        int toSubmit = localTail - published;
        published = localTail;
        try {
            long result = (long) ENTER.invokeExact(callState, SYS_IO_URING_ENTER, fd, toSubmit, 1, ENTER_GETEVENTS,
                    MemorySegment.NULL, 0L);
            if (result >= 0) return true;
            Libc.check("io_uring_enter", result, callState);
            return true;
        } catch (CallFailed f) {
            if (f.errno() == Libc.EINTR) return false;
            throw f;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The completions ready now, from the first unread one: {@link #completionUserData}/{@link #completionResult}. */
    public int ready() {
        return (int) INT.getAcquire(rings, cqTail) - (int) INT.get(rings, cqHead);
    }

    /** user_data of the {@code i}th ready completion. */
    public long completionUserData(int i) {
        return cqes.get(JAVA_LONG, completionOffset(i));
    }

    /** res of the {@code i}th ready completion: a negative errno on failure. */
    public int completionResult(int i) {
        return cqes.get(JAVA_INT, completionOffset(i) + 8);
    }

    private long completionOffset(int i) {
        int head = (int) INT.get(rings, cqHead);
        return (long) ((head + i) & cqMask) * CQE_SIZE;
    }

    /** Marks {@code count} completions read: the kernel may reuse their slots. */
    public void advance(int count) {
        INT.setRelease(rings, cqHead, (int) INT.get(rings, cqHead) + count);
    }

    @Override
    public void close() {
        Mappings.unmap(sqes);
        Mappings.unmap(rings);
        Libc.close(fd);
    }
}
