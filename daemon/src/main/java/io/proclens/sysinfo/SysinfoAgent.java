package io.proclens.sysinfo;

import io.proclens.sys.CallFailed;
import io.proclens.sys.Posix;
import io.proclens.sys.SeccompNotifications;
import io.proclens.view.SysinfoView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Answers the sysinfo(2) calls of containers whose seccomp filter notifies for it: one thread polls every
 * listener, receives a notification, renders the caller's numbers, writes them into its {@code struct sysinfo} and
 * answers 0. Whenever the numbers cannot be had, or the call is not this architecture's sysinfo, the answer is
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE: the real system call runs, so a failure of ours never breaks a program. A bad
 * buffer address gets EFAULT, as from the kernel.
 *
 * <p>The thread receives each notification into {@code slot}: the listener's key, then {@code struct seccomp_notif}
 * as the kernel wrote it. With one receiving thread at most one notification is in hand at a time, and the slot says
 * which: a successor given the slot of an agent that died ({@link #recover}) answers it if its caller still waits,
 * since the kernel never gives a received notification to anyone again. The slot may be shared memory for that.
 */
public final class SysinfoAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SysinfoAgent.class.getName());

    /** The key of the listener received on, then struct seccomp_notif. */
    public static final int SLOT_SIZE = 8 + SeccompNotifications.NOTIF_SIZE;
    private static final int ENOENT = 2, EFAULT = 14;

    private record Listener(long key, int fd, String container) {
    }

    private final IntFunction<Optional<SysinfoView.Numbers>> numbers;
    private final MemorySegment slot;
    private final LongConsumer closed;
    private final int wake;
    private final ConcurrentLinkedQueue<Listener> added = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<MemorySegment> recoveries = new ConcurrentLinkedQueue<>();
    private final Map<Long, Listener> listeners = new LinkedHashMap<>(); // the agent thread's only
    private final Thread thread;
    private volatile boolean stopping;
    private final LongAdder answered = new LongAdder();
    private final LongAdder continued = new LongAdder();
    private final LongAdder recovered = new LongAdder();

    /**
     * @param numbers what a caller (a thread id) is told, empty for the kernel's answer
     * @param slot    {@link #SLOT_SIZE} bytes that outlive this agent when a successor must recover from them
     * @param closed  told the key of each listener whose filter has no process left (it was closed here)
     */
    public SysinfoAgent(IntFunction<Optional<SysinfoView.Numbers>> numbers, MemorySegment slot, LongConsumer closed)
            throws CallFailed {
        if (slot.byteSize() < SLOT_SIZE) throw new IllegalArgumentException("slot of " + slot.byteSize() + " bytes");
        // The kernel writes its whole struct seccomp_notif: one larger than ours would overrun the slot.
        short kernels = SeccompNotifications.sizes()[0];
        if (kernels > SeccompNotifications.NOTIF_SIZE) {
            throw new CallFailed("seccomp notifications of " + kernels + " bytes (we know "
                    + SeccompNotifications.NOTIF_SIZE + ")", 75); // EOVERFLOW
        }
        this.numbers = numbers;
        this.slot = slot;
        this.closed = closed;
        this.wake = Posix.eventfd();
        this.thread = Thread.ofPlatform().name("sysinfo-agent").daemon().unstarted(this::loop);
        thread.start();
    }

    /** Serves listener {@code fd} (ours from now on) of {@code container}, known as {@code key}. */
    public void add(long key, int fd, String container) {
        added.add(new Listener(key, fd, container));
        wake();
    }

    /**
     * Answers the notification a dead agent had received into {@code previousSlot} and not answered, if its caller
     * still waits; its listener must have been {@link #add added} first. Copies the slot: it may be released after.
     */
    public void recover(MemorySegment previousSlot) {
        MemorySegment copy = Arena.ofAuto().allocate(SLOT_SIZE, 8);
        MemorySegment.copy(previousSlot, 0, copy, 0, SLOT_SIZE);
        recoveries.add(copy);
        wake();
    }

    /** How many calls got the container's numbers, how many ran for real, how many a predecessor left. */
    public long answered() {
        return answered.sum();
    }

    public long continued() {
        return continued.sum();
    }

    public long recovered() {
        return recovered.sum();
    }

    /** How many listeners are served now (read by the agent thread's last turn). */
    public int listeners() {
        return listenerCount;
    }

    private volatile int listenerCount;

    private void wake() {
        try {
            Posix.signal(wake);
        } catch (CallFailed e) {
            LOG.warning("waking the sysinfo agent: " + e.getMessage());
        }
    }

    private void loop() {
        try (Arena arena = Arena.ofConfined(); SeccompNotifications.Calls calls = new SeccompNotifications.Calls()) {
            MemorySegment answer = arena.allocate(SysinfoStruct.SIZE, 8);
            MemorySegment pollfds = MemorySegment.NULL;
            while (!stopping) {
                for (Listener l; (l = added.poll()) != null; ) {
                    listeners.put(l.key(), l);
                    calls.wakeOnTheSameCpu(l.fd());
                }
                for (MemorySegment s; (s = recoveries.poll()) != null; ) recover(s, answer, calls);
                listenerCount = listeners.size();
                List<Listener> polled = new ArrayList<>(listeners.values());
                if (pollfds.byteSize() < 8L * (polled.size() + 1)) pollfds = arena.allocate(8L * (polled.size() + 16), 8);
                pollfds.set(JAVA_INT, 0, wake);
                pollfds.set(JAVA_SHORT, 4, Posix.POLLIN);
                for (int i = 0; i < polled.size(); i++) {
                    pollfds.set(JAVA_INT, 8L * (i + 1), polled.get(i).fd());
                    pollfds.set(JAVA_SHORT, 8L * (i + 1) + 4, Posix.POLLIN);
                    pollfds.set(JAVA_SHORT, 8L * (i + 1) + 6, (short) 0);
                }
                pollfds.set(JAVA_SHORT, 6, (short) 0);
                Posix.pollAll(pollfds, polled.size() + 1, -1);
                if (pollfds.get(JAVA_SHORT, 6) != 0) Posix.drain(wake);
                for (int i = 0; i < polled.size(); i++) {
                    short events = pollfds.get(JAVA_SHORT, 8L * (i + 1) + 6);
                    Listener listener = polled.get(i);
                    if ((events & Posix.POLLIN) != 0) {
                        receiveAndAnswer(listener, answer, calls);
                    } else if ((events & (Posix.POLLHUP | Posix.POLLERR | Posix.POLLNVAL)) != 0) {
                        listeners.remove(listener.key());
                        Posix.close(listener.fd());
                        closed.accept(listener.key()); // every process of its filter is gone
                    }
                }
            }
        } catch (Throwable t) {
            if (!stopping) LOG.log(Level.SEVERE, "the sysinfo agent stopped: calls wait for the next one", t);
        }
    }

    private void receiveAndAnswer(Listener listener, MemorySegment answer, SeccompNotifications.Calls calls) {
        slot.set(JAVA_LONG, 0, listener.key());
        MemorySegment notif = slot.asSlice(8, SeccompNotifications.NOTIF_SIZE);
        try {
            calls.receive(listener.fd(), notif);
        } catch (CallFailed e) {
            if (e.errno() != ENOENT) LOG.warning("receiving from " + listener.container() + ": " + e.getMessage());
            return; // ENOENT: the caller was killed before we took it
        }
        answer(listener.fd(), notif, answer, calls);
    }

    /** Answers a received notification: the caller's numbers, EFAULT for a bad buffer, or the real call. */
    private void answer(int fd, MemorySegment notif, MemorySegment answer, SeccompNotifications.Calls calls) {
        long id = notif.get(JAVA_LONG, SeccompNotifications.NOTIF_ID);
        int tid = notif.get(JAVA_INT, SeccompNotifications.NOTIF_PID);
        int error = 0;
        int flags = SeccompNotifications.FLAG_CONTINUE;
        try {
            if (notif.get(JAVA_INT, SeccompNotifications.NOTIF_NR) == SysinfoStruct.SYSCALL_NUMBER
                    && notif.get(JAVA_INT, SeccompNotifications.NOTIF_ARCH) == SysinfoStruct.AUDIT_ARCH) {
                Optional<SysinfoView.Numbers> shown = numbers.apply(tid);
                if (shown.isPresent()) {
                    SysinfoStruct.encode(shown.get(), answer);
                    long buffer = notif.get(JAVA_LONG, SeccompNotifications.NOTIF_ARGS);
                    try {
                        if (!calls.writeToTarget(fd, id, tid, buffer, answer)) return; // caller gone
                        flags = 0;
                    } catch (CallFailed e) {
                        if (e.errno() == ENOENT) return; // the thread is gone (its /proc entry)
                        flags = 0;
                        error = -EFAULT; // not writable memory of the caller: what the kernel answers
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sysinfo for thread " + tid + ": letting the real call run", e);
        }
        try {
            calls.send(fd, id, 0, error, flags);
            if (flags == 0 && error == 0) answered.increment();
            else if (flags != 0) continued.increment();
        } catch (CallFailed e) {
            if (e.errno() != ENOENT) LOG.warning("answering sysinfo of thread " + tid + ": " + e.getMessage());
        }
    }

    private void recover(MemorySegment previous, MemorySegment answer, SeccompNotifications.Calls calls) {
        Listener listener = listeners.get(previous.get(JAVA_LONG, 0));
        MemorySegment notif = previous.asSlice(8, SeccompNotifications.NOTIF_SIZE);
        long id = notif.get(JAVA_LONG, SeccompNotifications.NOTIF_ID);
        if (listener == null || !calls.waiting(listener.fd(), id)) return;
        LOG.info("answering a sysinfo call that the last agent had taken (thread "
                + notif.get(JAVA_INT, SeccompNotifications.NOTIF_PID) + " of " + listener.container() + ")");
        recovered.increment();
        answer(listener.fd(), notif, answer, calls);
    }

    /** Stops the thread; the listeners stay open (their owner, the holder or this process's exit, closes them). */
    @Override
    public void close() {
        stopping = true;
        wake();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Posix.close(wake);
    }
}
