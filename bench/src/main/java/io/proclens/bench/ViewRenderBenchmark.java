package io.proclens.bench;

import io.proclens.cgroup.CpuSet;
import io.proclens.cgroup.MemoryStats;
import io.proclens.view.CpuinfoView;
import io.proclens.view.MeminfoView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How long rendering one file for one cgroup takes, from the host's real text. The baseline is the least any
 * renderer must do: turn the host's text into bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ViewRenderBenchmark {
    private static final long MIB = 1024 * 1024;

    private String hostMeminfo;
    private String hostCpuinfo;
    private MemoryStats limited;
    private CpuSet firstCpu;

    @Setup
    public void readHostFiles() throws IOException {
        hostMeminfo = Files.readString(Path.of("/proc/meminfo"));
        hostCpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        limited = new MemoryStats(256 * MIB, 100 * MIB, 64 * MIB, 1 * MIB, 30 * MIB, 40 * MIB, 10 * MIB,
                20 * MIB, 10 * MIB, 0, 2 * MIB, 5 * MIB, 0, 0, 0, 1 * MIB, 0);
        firstCpu = CpuSet.of(0);
    }

    @Benchmark
    public byte[] baselineHostMeminfoBytes() {
        return hostMeminfo.getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public byte[] meminfoFor256MiB() {
        return MeminfoView.render(hostMeminfo, limited, true).getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public byte[] cpuinfoForOneCpu() {
        return CpuinfoView.render(hostCpuinfo, firstCpu).getBytes(StandardCharsets.US_ASCII);
    }
}
