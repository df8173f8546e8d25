package io.proclens.bench;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.fs.FsException;
import io.proclens.fs.VirtualFile;
import io.proclens.render.CgroupRenderer;
import io.proclens.render.Options;
import io.proclens.render.Sources;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What an open costs when the file's snapshot is not cached (--cache-ttl 0, or the entry expired): reading the
 * caller's cgroup and the host's file, rendering, and publishing the new snapshot in the cache. The caller is this
 * JVM, already resolved (its resolution is kept an hour), so only the miss is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CacheMissBenchmark {
    @Param({"MEMINFO", "CPUINFO", "STAT", "UPTIME"})
    public VirtualFile file;

    private CgroupRenderer renderer;
    private int pid;

    @Setup
    public void start() throws FsException {
        renderer = new CgroupRenderer(Path.of("/"), Sources.ofHost(CgroupLayout.discover()), Options.DEFAULTS,
                Duration.ZERO, Duration.ofHours(1));
        pid = (int) ProcessHandle.current().pid();
        renderer.render(file, pid); // resolves the caller
    }

    @TearDown
    public void stop() {
        renderer.close();
    }

    @Benchmark
    public MemorySegment renderAndPublish() throws FsException {
        return renderer.render(file, pid);
    }
}
