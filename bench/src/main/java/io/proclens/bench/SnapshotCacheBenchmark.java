package io.proclens.bench;

import io.proclens.cache.ConcurrentSnapshotCache;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What a cache hit costs an open, two threads asking for the same cgroup's file at once (as two loop threads
 * do); the baseline is a bare concurrent map lookup of the same key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class SnapshotCacheBenchmark {
    private static final String KEY = "memory=/sys/fs/cgroup/memory/docker/4f1c2a\ncpuset=/sys/fs/cgroup/cpuset/docker/4f1c2a";

    private final ConcurrentSnapshotCache<String, byte[]> cache = new ConcurrentSnapshotCache<>(1 << 16);
    private final ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>();
    private final long ttlNanos = TimeUnit.HOURS.toNanos(1);

    @Setup
    public void fill() {
        cache.getOrRender(KEY, ttlNanos, () -> new byte[1500]);
        map.put(KEY, new byte[1500]);
    }

    @Benchmark
    public byte[] baselineMapGet() {
        return map.get(KEY);
    }

    @Benchmark
    public byte[] cacheHit() {
        return cache.getOrRender(KEY, ttlNanos, () -> new byte[1500]);
    }
}
