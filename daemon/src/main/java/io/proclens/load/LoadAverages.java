package io.proclens.load;

import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.CgroupException;
import io.proclens.cgroup.TaskCounts;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The load averages of every cgroup a reader has asked for, sampled every {@link #INTERVAL} like the kernel's.
 *
 * <p><b>Threading contract</b> (many readers, one sampler):
 * <ul>
 * <li>Readers: any number of threads call {@link #current}. It is lock-free and never waits for a sample: a
 *     {@link ConcurrentHashMap#get} and three volatile accesses on the cgroup's entry. Only the first ask for a
 *     cgroup (and the rare ask that races with that cgroup's eviction) goes through
 *     {@link ConcurrentHashMap#compute}, which locks one bin of the map for a few instructions.</li>
 * <li>Sampler: {@link #sampleAll} runs on one thread at a time (a lock that readers never take makes concurrent
 *     callers queue); it is the single writer of every entry's averages.</li>
 * </ul>
 *
 * <p><b>Memory ordering</b>, per entry:
 * <ul>
 * <li>{@code state}: an immutable {@link Loadavg} (the three averages and the counts of one sample). The sampler
 *     publishes each new one with {@code putStateRelease} and readers take it with {@code getStateAcquire}, so a
 *     reader sees a whole sample or the previous one, never a mix, and every later read by the same thread sees
 *     the same sample or a newer one.</li>
 * <li>{@code lastAsked} and {@code evicted} form a Dekker pair, both volatile (sequentially consistent): a reader
 *     {@code touchVolatile}s then checks {@code isEvictedVolatile}; the sampler, evicting an idle entry,
 *     {@code markEvictedVolatile}s then re-reads {@code getLastAskedVolatile}. At least one of them sees the
 *     other's write: either the sampler sees the ask and keeps the averages (in a fresh entry), or the reader
 *     sees the eviction and registers again carrying the averages it saw. An asked-for cgroup never loses its
 *     history; one not asked for during the whole idle time may.</li>
 * </ul>
 *
 * <p><b>Lifecycle</b>: a cgroup is registered by its first {@link #current} with averages 0 (as the kernel's at
 * boot and LXCFS's at first read), sampled from the next {@link #sampleAll} on, and dropped when it is removed
 * ({@link CgroupException.Kind#GONE}) or not asked for during the idle time. Other errors of a sample keep the
 * previous averages and are logged once per cgroup and counted ({@link #failedSamples}). Each
 * {@link #sampleAll} is one step of the averages, whatever time passed since the last: {@link #start} schedules
 * it at a fixed rate, which runs late steps back to back.
 */
public final class LoadAverages implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LoadAverages.class.getName());

    /** The sampling period the kernel's EXP_1, EXP_5 and EXP_15 are computed for. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);
    /** How long a cgroup nobody asks for stays tracked, by default. */
    public static final Duration DEFAULT_IDLE_EVICTION = Duration.ofMinutes(10);

    private final TaskCounter counter;
    private final long idleNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** Serializes sampleAll callers, so each entry's state has one writer; readers never take it. */
    private final ReentrantLock samplerLock = new ReentrantLock();
    private final AtomicLong failedSamples = new AtomicLong();

    /** Guards the two fields below: start and close only. */
    private final Object lifecycle = new Object();
    private ScheduledFuture<?> scheduled;
    private ScheduledExecutorService ownExecutor;

    /** Samples with {@code counter}, evicts after {@link #DEFAULT_IDLE_EVICTION}, on {@link System#nanoTime}. */
    public LoadAverages(TaskCounter counter) {
        this(counter, DEFAULT_IDLE_EVICTION, System::nanoTime);
    }

    /**
     * @param counter      counts a cgroup's tasks; called by the sampler only
     * @param idleEviction how long a cgroup not asked for is kept; at least {@link #INTERVAL}
     * @param nanoClock    a monotonic clock in nanoseconds ({@link System#nanoTime} in production)
     */
    public LoadAverages(TaskCounter counter, Duration idleEviction, LongSupplier nanoClock) {
        this.counter = Objects.requireNonNull(counter, "counter");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (idleEviction.compareTo(INTERVAL) < 0) {
            throw new IllegalArgumentException("idle eviction " + idleEviction + " is shorter than one sample " + INTERVAL);
        }
        this.idleNanos = idleEviction.toNanos();
    }

    /**
     * The cgroup's latest averages, registering it on its first ask ({@link Loadavg#INITIAL} then, with
     * {@code samples() == 0} and no counts yet). Lock-free and never blocking (see the class).
     */
    public Loadavg current(Cgroup cgroup) {
        long now = nanoClock.getAsLong();
        Entry seen = entries.get(cgroup.key());
        if (seen != null) {
            seen.touchVolatile(now);
            if (!seen.isEvictedVolatile()) return seen.getStateAcquire();
        }
        return register(cgroup, seen, now);
    }

    /** First ask, or an ask that found its entry being evicted: install a live entry, keeping any averages seen. */
    private Loadavg register(Cgroup cgroup, Entry seen, long now) {
        Entry live = entries.compute(cgroup.key(), (key, old) -> {
            if (old != null && !old.isEvictedVolatile()) return old;
            Entry from = old != null ? old : seen;
            return new Entry(cgroup, from == null ? Loadavg.INITIAL : from.getStateAcquire(), now);
        });
        live.touchVolatile(now);
        return live.getStateAcquire();
    }

    /**
     * One 5-second step of every tracked cgroup's averages from its tasks now; drops removed cgroups and those not
     * asked for during the idle time. Callers queue behind each other; readers are never held up.
     */
    public void sampleAll() {
        samplerLock.lock();
        try {
            long now = nanoClock.getAsLong();
            for (Entry entry : entries.values()) {
                long asked = entry.getLastAskedVolatile();
                if (now - asked > idleNanos) {
                    evictIdle(entry, asked);
                } else {
                    sample(entry);
                }
            }
        } finally {
            samplerLock.unlock();
        }
    }

    private void sample(Entry entry) {
        TaskCounts counts;
        try {
            counts = counter.count(entry.cgroup);
        } catch (CgroupException e) {
            if (e.kind() == CgroupException.Kind.GONE) {
                entry.markEvictedVolatile();
                entries.remove(entry.cgroup.key(), entry);
                return;
            }
            failedSamples.incrementAndGet();
            if (!entry.failureLogged) {
                entry.failureLogged = true;
                LOG.log(Level.WARNING, "load average of " + entry.cgroup + " not sampled, keeping the last one ("
                        + e.kind() + "): " + e.getMessage() + "; further failures of this cgroup are only counted");
            }
            return;
        }
        entry.putStateRelease(entry.getStateAcquire().next(counts));
    }

    /** Dekker with {@link #current}: mark, then look again whether a reader asked since {@code asked}. */
    private void evictIdle(Entry entry, long asked) {
        entry.markEvictedVolatile();
        finishEviction(entry, asked);
    }

    /** The second half of {@link #evictIdle}, after the mark; apart for tests that put a reader in between. */
    void finishEviction(Entry entry, long asked) {
        if (entry.getLastAskedVolatile() == asked) {
            entries.remove(entry.cgroup.key(), entry);
        } else {
            // a reader asked meanwhile: keep its averages (it may already have replaced the entry itself)
            entries.replace(entry.cgroup.key(), entry, entry.revived());
        }
    }

    /** The entry of a cgroup, or null; for tests. */
    Entry entry(Cgroup cgroup) {
        return entries.get(cgroup.key());
    }

    /** How many cgroups are tracked now. */
    public int tracked() {
        return entries.size();
    }

    /** How many samples failed with an error other than GONE since this instance was made. */
    public long failedSamples() {
        return failedSamples.get();
    }

    /**
     * Runs {@link #sampleAll} every {@link #INTERVAL} on {@code executor} (at a fixed rate, first run one interval
     * from now) until {@link #close}. An exception of a run is logged and the next run happens as planned.
     *
     * @throws IllegalStateException if already started
     */
    public void start(ScheduledExecutorService executor) {
        synchronized (lifecycle) {
            if (scheduled != null) throw new IllegalStateException("load averages already started");
            long period = INTERVAL.toNanos();
            scheduled = executor.scheduleAtFixedRate(this::sampleLogged, period, period, TimeUnit.NANOSECONDS);
        }
    }

    /** Runs {@link #sampleAll} every {@link #INTERVAL} on a daemon thread of its own, "proclens-loadavg". */
    public void start() {
        synchronized (lifecycle) {
            if (scheduled != null) throw new IllegalStateException("load averages already started");
            ownExecutor = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "proclens-loadavg");
                thread.setDaemon(true);
                return thread;
            });
            start(ownExecutor);
        }
    }

    /** Stops sampling (a run under way finishes); the last averages stay readable. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (scheduled != null) scheduled.cancel(false);
            if (ownExecutor != null) ownExecutor.shutdown();
        }
    }

    private void sampleLogged() {
        try {
            sampleAll();
        } catch (Throwable t) { // an exception would cancel every later run of scheduleAtFixedRate
            LOG.log(Level.SEVERE, "sampling load averages failed", t);
        }
    }

    /**
     * One tracked cgroup. {@code state} has a single writer (the sampler) after construction; {@code lastAsked}
     * is written by readers (and read by the sampler), {@code evicted} by the sampler (and read by readers).
     */
    static final class Entry {
        private static final VarHandle STATE;
        private static final VarHandle LAST_ASKED;
        private static final VarHandle EVICTED;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                STATE = lookup.findVarHandle(Entry.class, "state", Loadavg.class);
                LAST_ASKED = lookup.findVarHandle(Entry.class, "lastAsked", long.class);
                EVICTED = lookup.findVarHandle(Entry.class, "evicted", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Cgroup cgroup;
        /** Sampler thread only. */
        boolean failureLogged;
        @SuppressWarnings("unused") // through STATE
        private Loadavg state;
        @SuppressWarnings("unused") // through LAST_ASKED
        private long lastAsked;
        @SuppressWarnings("unused") // through EVICTED
        private boolean evicted;

        Entry(Cgroup cgroup, Loadavg state, long lastAsked) {
            this.cgroup = cgroup;
            this.state = state;
            this.lastAsked = lastAsked;
        }

        /** A live copy of an entry being evicted, with its averages and last ask. */
        Entry revived() {
            return new Entry(cgroup, getStateAcquire(), getLastAskedVolatile());
        }

        Loadavg getStateAcquire() {
            return (Loadavg) STATE.getAcquire(this);
        }

        /** Sampler only; pairs with {@link #getStateAcquire}. */
        void putStateRelease(Loadavg next) {
            STATE.setRelease(this, next);
        }

        void touchVolatile(long now) {
            LAST_ASKED.setVolatile(this, now);
        }

        long getLastAskedVolatile() {
            return (long) LAST_ASKED.getVolatile(this);
        }

        /** Sampler only; once set an entry stays evicted (a kept cgroup gets a new entry). */
        void markEvictedVolatile() {
            EVICTED.setVolatile(this, true);
        }

        boolean isEvictedVolatile() {
            return (boolean) EVICTED.getVolatile(this);
        }
    }
}
