package io.proclens.fuse;

import io.proclens.cgroup.CpuSet;
import io.proclens.mounts.MountException;
import io.proclens.sys.CallFailed;
import io.proclens.sys.CpuAffinity;
import io.proclens.sys.Libc;
import io.proclens.sys.Mappings;
import io.proclens.sys.Posix;
import io.proclens.uring.IoUring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * FUSE over io_uring (Linux 6.14 and later, on while {@code /sys/module/fuse/parameters/enable_uring} is Y): the
 * transport of {@code --transport io-uring}. The kernel keeps one queue per possible CPU and hands a reader's request
 * to its own CPU's queue; a queue's entries are buffers we register with {@code IORING_OP_URING_CMD} on /dev/fuse,
 * and each answer is committed in place with the command that also fetches the next request: one system call per
 * batch, no read(2) or write(2). Requests the ring never carries (FORGET, INTERRUPT, and everything before every
 * queue has an entry) still come through /dev/fuse, served by one more thread.
 *
 * <p>libfuse 3.14 cannot speak this, and the kernel only turns it on when the FUSE_INIT reply asks for it, so this
 * transport answers INIT itself and every request through {@link WireOperations}. A kernel that does not offer
 * FUSE_OVER_IO_URING gets the same server over read(2) and write(2) of /dev/fuse.
 *
 * <p>Not for the holder's hand-over: requests a dead server had taken from its ring are never resent by the kernel
 * (FUSE_NOTIFY_RESEND walks only /dev/fuse's lists, 6.18), so their readers would hang until the connection ends.
 */
final class RingTransport {
    private static final Logger LOG = Logger.getLogger(RingTransport.class.getName());

    static final long FUSE_OVER_IO_URING = 1L << 41;
    private static final long INIT_EXT = 1L << 30;
    /** What we accept of the kernel's offer: libfuse's choice for a read-only server, and io_uring. */
    private static final long WANTED = 1 /* ASYNC_READ */ | 1 << 5 /* BIG_WRITES */ | 1 << 18 /* PARALLEL_DIROPS */
            | 1 << 22 /* MAX_PAGES */ | INIT_EXT;
    static final int MAX_WRITE = 128 * 1024, MAX_PAGES = 32;
    /** The ring's max_payload_sz: max(8 KiB, max_write, max_pages pages). */
    static final int PAYLOAD_SIZE = MAX_PAGES * 4096;
    static final int DEV_BUFFER = MAX_WRITE + 4096;
    static final int ENTRIES_PER_QUEUE = 4;
    /** The newest protocol we speak: 7.42 brought io_uring. */
    static final int MINOR = 42;

    /** fuse_init_in after the in header: major, minor, max_readahead, flags, flags2. */
    private static final long INIT_MAJOR = 40, INIT_MINOR = 44, INIT_READAHEAD = 48, INIT_FLAGS = 52, INIT_FLAGS2 = 56;
    private static final int INIT_REPLY_SIZE = WireOperations.OUT_HEADER_SIZE + 64;

    /** struct fuse_uring_req_header: in_out[128], op_in[128], then ring_ent_in_out {flags, commit_id, payload_sz}. */
    static final int RING_HEADER_SIZE = 288;
    private static final long OP_IN = 128, COMMIT_ID = 264, PAYLOAD_SZ = 272;
    private static final int CMD_REGISTER = 1, CMD_COMMIT_AND_FETCH = 2;
    /** struct fuse_uring_cmd_req in the command area of the SQE: flags, commit_id, qid. */
    private static final long CMD_COMMIT_ID = IoUring.SQE_CMD + 8, CMD_QID = IoUring.SQE_CMD + 16;
    /** Each entry's place in its thread's memory: its header, then its iovec pair, 512 bytes apart; payloads after. */
    private static final long ENTRY_STRIDE = 512, IOVECS = 320;
    private static final int ENOTCONN = 107, ECANCELED = 125, ENOENT = 2;

    /** How a serving thread ended: {@code failed} when by an error of ours rather than the connection's end. */
    @FunctionalInterface
    interface Ended {
        void ended(String reason, boolean failed);
    }

    private final int fd;
    private final WireOperations ops;
    private final boolean overRing;
    private final int queues;
    private final boolean debug;
    private final LongAdder ringRequests = new LongAdder();
    private final LongAdder deviceRequests = new LongAdder();

    private RingTransport(int fd, WireOperations ops, boolean overRing, int queues, boolean debug) {
        this.fd = fd;
        this.ops = ops;
        this.overRing = overRing;
        this.queues = queues;
        this.debug = debug;
    }

    /**
     * Reads the kernel's FUSE_INIT from {@code fd}, freshly mounted, and answers it: with io_uring when the kernel
     * offers it, else the same server over /dev/fuse (said in the log).
     */
    static RingTransport negotiate(int fd, WireOperations ops, boolean debug) throws MountException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(DEV_BUFFER, 8);
            long length = Posix.read(fd, request);
            if (length < InitRequest.MIN_LENGTH || request.get(JAVA_INT, WireOperations.IN_OPCODE) != WireOperations.INIT
                    || request.get(JAVA_INT, INIT_MAJOR) != 7) {
                throw new MountException("the kernel's first FUSE request was not an INIT of protocol 7");
            }
            int minor = request.get(JAVA_INT, INIT_MINOR);
            long offered = Integer.toUnsignedLong(request.get(JAVA_INT, INIT_FLAGS));
            if ((offered & INIT_EXT) != 0 && length >= InitRequest.MIN_LENGTH + 4) {
                offered |= Integer.toUnsignedLong(request.get(JAVA_INT, INIT_FLAGS2)) << 32;
            }
            boolean ring = (offered & FUSE_OVER_IO_URING) != 0;
            long flags = offered & (WANTED | (ring ? FUSE_OVER_IO_URING : 0));
            MemorySegment reply = arena.allocate(INIT_REPLY_SIZE, 8);
            reply.set(JAVA_INT, WireOperations.OUT_LEN, INIT_REPLY_SIZE);
            reply.set(JAVA_LONG, WireOperations.OUT_UNIQUE, request.get(JAVA_LONG, WireOperations.IN_UNIQUE));
            MemorySegment init = reply.asSlice(WireOperations.OUT_HEADER_SIZE);
            init.set(JAVA_INT, 0, 7);
            init.set(JAVA_INT, 4, Math.min(minor, MINOR));
            init.set(JAVA_INT, 8, request.get(JAVA_INT, INIT_READAHEAD));
            init.set(JAVA_INT, 12, (int) flags);
            init.set(JAVA_INT, 20, MAX_WRITE);
            init.set(JAVA_INT, 24, 1); // time_gran: nanoseconds
            init.set(JAVA_SHORT, 28, (short) MAX_PAGES);
            init.set(JAVA_INT, 32, (int) (flags >>> 32));
            Posix.write(fd, reply);
            int queues = possibleCpus();
            if (ring) {
                LOG.info("FUSE 7." + minor + " offers io_uring: serving " + queues + " queues over io_uring");
            } else {
                LOG.warning("the kernel (FUSE 7." + minor + ") does not offer FUSE over io_uring (it needs Linux 6.14"
                        + " and /sys/module/fuse/parameters/enable_uring set to Y): serving over /dev/fuse");
            }
            return new RingTransport(fd, ops, ring, queues, debug);
        } catch (CallFailed e) {
            throw new MountException("answering the kernel's FUSE_INIT failed: " + e.getMessage());
        }
    }

    /** How many requests came through each way, INIT not counted: what the log says at the end. */
    String served() {
        return "served " + ringRequests.sum() + " requests over io_uring and " + deviceRequests.sum()
                + " over /dev/fuse";
    }

    /** Whether the kernel took io_uring in the INIT reply. */
    boolean overRing() {
        return overRing;
    }

    /**
     * The serving threads, not started: over io_uring, min({@code count}, queues) ring threads (thread t serves every
     * queue q with q mod threads = t, pinned to its CPU when that is its only queue) and one on /dev/fuse; otherwise
     * {@code count} threads on /dev/fuse.
     */
    List<Thread> threads(int count, Ended ended) {
        List<Thread> threads = new ArrayList<>();
        if (!overRing) {
            for (int i = 0; i < Math.max(1, count); i++) {
                threads.add(Thread.ofPlatform().name("fuse-dev-" + i).unstarted(() -> devLoop(ended)));
            }
            return threads;
        }
        int ringThreads = Math.max(1, Math.min(count, queues));
        for (int t = 0; t < ringThreads; t++) {
            int first = t;
            threads.add(Thread.ofPlatform().name("fuse-ring-" + t)
                    .unstarted(() -> ringLoop(first, ringThreads, ended)));
        }
        threads.add(Thread.ofPlatform().name("fuse-dev").unstarted(() -> devLoop(ended)));
        return threads;
    }

    /** Reads requests from /dev/fuse and writes the replies, until the file system goes away. */
    private void devLoop(Ended ended) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(DEV_BUFFER, 8);
            MemorySegment reply = arena.allocate(DEV_BUFFER, 8);
            MemorySegment body = reply.asSlice(WireOperations.OUT_HEADER_SIZE);
            while (true) {
                long length;
                try {
                    length = Posix.read(fd, request);
                } catch (CallFailed e) {
                    if (e.errno() == ENOENT || e.errno() == Errno.EAGAIN) continue; // interrupted before we read it
                    if (e.errno() == Errno.ENODEV) break;
                    ended.ended("reading /dev/fuse failed: " + e.getMessage(), true);
                    return;
                }
                if (length < WireOperations.IN_HEADER_SIZE) break;
                MemorySegment header = request.asSlice(0, WireOperations.IN_HEADER_SIZE);
                // The op's own header follows; a lookup's name follows directly (its op header is empty).
                MemorySegment rest = request.asSlice(WireOperations.IN_HEADER_SIZE, length - WireOperations.IN_HEADER_SIZE);
                deviceRequests.increment();
                int answer = ops.answer(header, rest, rest, body);
                trace(header, answer);
                if (answer == WireOperations.NO_REPLY) continue;
                int bodyLength = Math.max(answer, 0);
                reply.set(JAVA_INT, WireOperations.OUT_LEN, WireOperations.OUT_HEADER_SIZE + bodyLength);
                reply.set(JAVA_INT, WireOperations.OUT_ERROR, Math.min(answer, 0));
                reply.set(JAVA_LONG, WireOperations.OUT_UNIQUE, header.get(JAVA_LONG, WireOperations.IN_UNIQUE));
                try {
                    Posix.write(fd, reply.asSlice(0, WireOperations.OUT_HEADER_SIZE + bodyLength));
                } catch (CallFailed e) {
                    if (e.errno() == Errno.ENODEV) break;
                    ops.undelivered(header, body); // ENOENT: interrupted; the reader is gone
                }
            }
            ended.ended("the filesystem was unmounted", false);
        } catch (Throwable t) {
            ended.ended(t.toString(), true);
        }
    }

    /**
     * Serves queues first, first + step, ...: registers their entries, then answers each request in its entry and
     * commits it, which fetches the next. The entries' memory is mapped and kept while the kernel may still write it.
     */
    private void ringLoop(int first, int step, Ended ended) {
        List<Integer> served = new ArrayList<>();
        for (int q = first; q < queues; q += step) served.add(q);
        if (served.size() == 1) pin(served.getFirst());
        int entries = served.size() * ENTRIES_PER_QUEUE;
        long headers = (entries * ENTRY_STRIDE + 4095) & ~4095L;
        MemorySegment memory;
        IoUring ring;
        try {
            memory = Mappings.anonymous(headers + (long) entries * PAYLOAD_SIZE);
        } catch (CallFailed e) {
            ended.ended("mapping io_uring buffers failed: " + e.getMessage(), true);
            return;
        }
        try {
            ring = IoUring.create(entries);
        } catch (CallFailed e) {
            Mappings.unmap(memory); // nothing was registered
            ended.ended("setting up io_uring failed: " + e.getMessage(), true);
            return;
        }
        boolean clean = false;
        try {
            for (int e = 0; e < entries; e++) {
                MemorySegment header = entryHeader(memory, e);
                MemorySegment iov = memory.asSlice(e * ENTRY_STRIDE + IOVECS, 32);
                iov.set(JAVA_LONG, 0, header.address());
                iov.set(JAVA_LONG, 8, RING_HEADER_SIZE);
                iov.set(JAVA_LONG, 16, payload(memory, headers, e).address());
                iov.set(JAVA_LONG, 24, PAYLOAD_SIZE);
                command(ring, e, served.get(e / ENTRIES_PER_QUEUE), CMD_REGISTER, 0, iov.address());
            }
            String reason = null;
            while (reason == null) {
                if (!ring.submitAndWait()) continue; // a signal: submitted, wait again
                int ready = ring.ready();
                for (int i = 0; i < ready; i++) {
                    int e = (int) ring.completionUserData(i);
                    int result = ring.completionResult(i);
                    if (result < 0) {
                        clean = -result == ENOTCONN || -result == ECANCELED; // unmounted or aborted
                        if (reason == null) reason = clean ? "the filesystem was unmounted"
                                : "an io_uring FUSE command failed: " + Libc.describe(-result);
                        continue;
                    }
                    answer(ring, e, served.get(e / ENTRIES_PER_QUEUE), entryHeader(memory, e),
                            payload(memory, headers, e));
                }
                ring.advance(ready);
            }
            ended.ended(reason, !clean);
        } catch (Throwable t) {
            ended.ended(t.toString(), true);
        } finally {
            ring.close();
            // After a failure of ours the connection may still be alive for an instant: never unmap what it may write.
            if (clean) Mappings.unmap(memory);
        }
    }

    /** Answers the request in entry {@code e} in place and queues the commit that also fetches its next one. */
    private void answer(IoUring ring, int e, int queue, MemorySegment header, MemorySegment payload) throws CallFailed {
        MemorySegment in = header.asSlice(0, WireOperations.IN_HEADER_SIZE);
        long unique = in.get(JAVA_LONG, WireOperations.IN_UNIQUE);
        long commitId = header.get(JAVA_LONG, COMMIT_ID);
        ringRequests.increment();
        int answer = ops.answer(in, header.asSlice(OP_IN, 128), payload, payload);
        trace(in, answer);
        if (answer == WireOperations.NO_REPLY) answer = 0; // never carried by the ring; the commit fetches the next
        int bodyLength = Math.max(answer, 0);
        header.set(JAVA_INT, WireOperations.OUT_LEN, WireOperations.OUT_HEADER_SIZE + bodyLength);
        header.set(JAVA_INT, WireOperations.OUT_ERROR, Math.min(answer, 0));
        header.set(JAVA_LONG, WireOperations.OUT_UNIQUE, unique);
        header.set(JAVA_INT, PAYLOAD_SZ, bodyLength);
        command(ring, e, queue, CMD_COMMIT_AND_FETCH, commitId, 0);
    }

    private void command(IoUring ring, int entry, int queue, int command, long commitId, long iovecs)
            throws CallFailed {
        MemorySegment sqe = ring.nextEntry();
        if (sqe == null) throw new CallFailed("io_uring: no free submission entry", 16 /* EBUSY */); // sized 1:1
        sqe.set(JAVA_BYTE, IoUring.SQE_OPCODE, IoUring.OP_URING_CMD);
        sqe.set(JAVA_INT, IoUring.SQE_FD, fd);
        sqe.set(JAVA_INT, IoUring.SQE_CMD_OP, command);
        sqe.set(JAVA_LONG, IoUring.SQE_ADDR, iovecs); // read by REGISTER only
        sqe.set(JAVA_INT, IoUring.SQE_LEN, iovecs == 0 ? 0 : 2);
        sqe.set(JAVA_LONG, IoUring.SQE_USER_DATA, entry);
        sqe.set(JAVA_LONG, CMD_COMMIT_ID, commitId);
        sqe.set(JAVA_SHORT, CMD_QID, (short) queue);
    }

    private static MemorySegment entryHeader(MemorySegment memory, int e) {
        return memory.asSlice(e * ENTRY_STRIDE, RING_HEADER_SIZE);
    }

    private static MemorySegment payload(MemorySegment memory, long headers, int e) {
        return memory.asSlice(headers + (long) e * PAYLOAD_SIZE, PAYLOAD_SIZE);
    }

    private static void pin(int cpu) {
        try {
            CpuAffinity.pinCallingThread(cpu);
        } catch (CallFailed | RuntimeException e) {
            // an offline CPU: its queue gets no requests until it comes up; serving it unpinned is as good
        }
    }

    private void trace(MemorySegment header, int answer) {
        if (!debug) return;
        System.err.printf("proclens: unique %d opcode %d nodeid %d pid %d -> %s%n",
                header.get(JAVA_LONG, WireOperations.IN_UNIQUE), header.get(JAVA_INT, WireOperations.IN_OPCODE),
                header.get(JAVA_LONG, WireOperations.IN_NODEID), header.get(JAVA_INT, WireOperations.IN_PID),
                answer == WireOperations.NO_REPLY ? "no reply" : answer < 0 ? "error " + -answer : answer + " bytes");
    }

    /** The kernel's queue count: num_possible_cpus(). */
    static int possibleCpus() {
        try {
            int count = CpuSet.parse(Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip()).size();
            return Math.max(count, 1);
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
