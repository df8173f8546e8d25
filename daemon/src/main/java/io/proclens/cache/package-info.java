/**
 * Lock-free structures shared by the loop threads, nothing but the JDK: each type names its threading contract and
 * each method its memory ordering (Agrona style), and each has a jcstress test in the {@code stress} module.
 *
 * <ul>
 * <li>{@link io.proclens.cache.ConcurrentMonotonicCounters}: rows of counters that never go down, one row per key,
 *     bounded in counters by LRU eviction of rows; the /proc/stat view keeps its numbers monotonic between reads
 *     with it.</li>
 * </ul>
 */
package io.proclens.cache;
