package io.proclens.fuse;

import io.proclens.metrics.DurationHistogram;
import io.proclens.metrics.Labels;
import io.proclens.metrics.MetricsRegistry;

import java.util.Locale;

/**
 * How many requests of each op the upcalls answered and how long each took, from the upcall's start to its reply
 * sent (libfuse's own answers, to ops we leave out, are not seen here). Off, it reads no clock.
 */
public final class RequestMetrics {
    /** The ops {@link Operations} answers. */
    public enum Op {
        LOOKUP, GETATTR, OPEN, READ, RELEASE, OPENDIR, READDIR, RELEASEDIR, READLINK;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** 5 us to 100 ms: a cached read takes tens of microseconds, a render a millisecond or a few. */
    static final long[] BOUNDS_NANOS = {5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
            2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000};

    public static final RequestMetrics OFF = new RequestMetrics(null);

    /** By op ordinal; null when off. */
    private final DurationHistogram[] byOp;

    private RequestMetrics(DurationHistogram[] byOp) {
        this.byOp = byOp;
    }

    /** Timing every op, each registered in {@code registry} as a histogram and a count of requests. */
    public static RequestMetrics registeredIn(MetricsRegistry registry) {
        Op[] ops = Op.values();
        DurationHistogram[] byOp = new DurationHistogram[ops.length];
        for (Op op : ops) {
            byOp[op.ordinal()] = registry.histogram("proclens_fuse_request_duration_seconds",
                    "Time from a FUSE request's upcall to its reply sent, by op.", Labels.of("op", op.label()),
                    BOUNDS_NANOS);
        }
        for (Op op : ops) {
            DurationHistogram histogram = byOp[op.ordinal()];
            registry.counter("proclens_fuse_requests_total", "FUSE requests answered, by op.",
                    Labels.of("op", op.label()), histogram::count);
        }
        return new RequestMetrics(byOp);
    }

    /** The start of a request: now, or 0 when off. */
    long start() {
        return byOp == null ? 0 : System.nanoTime();
    }

    /** Counts a request of {@code op} that started at {@code started} ({@link #start}). */
    void done(Op op, long started) {
        if (byOp != null) byOp[op.ordinal()].record(System.nanoTime() - started);
    }

    /** Requests of {@code op} answered so far (0 when off); for tests. */
    long count(Op op) {
        return byOp == null ? 0 : byOp[op.ordinal()].count();
    }
}
