package io.proclens.bench;

import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.TaskCounts;
import io.proclens.load.LoadAverages;
import io.proclens.load.Loadavg;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a reader pays for its cgroup's load averages on the open path: {@link LoadAverages#current} of a tracked
 * cgroup, two threads at once on the same cgroup (the volatile write of its last ask is the shared cache line).
 * Baseline: the map lookup alone, which any per-cgroup state needs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Threads(2)
public class LoadAveragesCurrentBenchmark {
    private final Cgroup cgroup = Cgroup.of(Map.of(Cgroup.Controller.CPU, new Cgroup.Location(Cgroup.Version.V1,
            Path.of("/sys/fs/cgroup/cpu/docker/c1"), Path.of("/sys/fs/cgroup/cpu"))));
    private final LoadAverages averages = new LoadAverages(c -> new TaskCounts(1, 0, 3, 99));
    private final ConcurrentHashMap<String, Loadavg> map = new ConcurrentHashMap<>();

    @Setup
    public void track() {
        averages.current(cgroup);
        averages.sampleAll();
        map.put(cgroup.key(), averages.current(cgroup));
    }

    @Benchmark
    public Loadavg baselineMapGet() {
        return map.get(cgroup.key());
    }

    @Benchmark
    public Loadavg currentOfTrackedCgroup() {
        return averages.current(cgroup);
    }
}
