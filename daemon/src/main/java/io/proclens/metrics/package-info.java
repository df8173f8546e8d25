/**
 * What a serving process counts, in Prometheus' text format over HTTP ({@code proclens mount --metrics ADDRESS}).
 * Nothing but the JDK: no other package's types, and its own lock-free counters for the loop threads.
 *
 * <ul>
 * <li>{@link io.proclens.metrics.Counter} and {@link io.proclens.metrics.DurationHistogram}: recorded by the loop
 *     threads without a lock and without allocating (striped {@link java.util.concurrent.atomic.LongAdder}s; each
 *     says what a concurrent scrape may and may not see, with a jcstress test in the {@code stress} module).</li>
 * <li>{@link io.proclens.metrics.MetricsRegistry}: the families by name, with counts kept elsewhere read through
 *     suppliers at scrape time; {@link io.proclens.metrics.TextFormat} writes them (exposition format 0.0.4).</li>
 * <li>{@link io.proclens.metrics.MetricsEndpoint}: {@code GET /metrics} on the JDK's HTTP server, one thread of its
 *     own, binding again across a hand-over ({@link io.proclens.metrics.ListenAddress} is the option's value).</li>
 * <li>{@link io.proclens.metrics.JvmMemory}: the heap and metaspace numbers that {@code proclens stats} prints
 *     too.</li>
 * </ul>
 */
package io.proclens.metrics;
