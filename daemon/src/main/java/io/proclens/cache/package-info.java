/**
 * Lock-free structures shared by the loop threads, nothing but the JDK: each type names its threading contract and
 * each method its memory ordering (Agrona style), and each has a jcstress test in the {@code stress} module.
 *
 * <ul>
 * <li>{@link io.proclens.cache.ConcurrentMonotonicCounters}: per-key counters that never go down, bounded by LRU
 *     eviction; the /proc/stat view keeps its numbers monotonic between reads with it.</li>
 * </ul>
 */
package io.proclens.cache;
