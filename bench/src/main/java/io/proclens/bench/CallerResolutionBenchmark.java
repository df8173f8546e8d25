package io.proclens.bench;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.cgroup.Processes;
import io.proclens.render.BootTicks;
import io.proclens.render.Callers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What finding an opening pid's cgroup costs, with this JVM's pid: {@code cold} when the pid is not cached
 * (a process's first open: its ns/pid link, /proc/PID/stat and /proc/PID/cgroup read and parsed), {@code warm}
 * when it is (one read of /proc/PID/stat to check the start time against pid reuse).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CallerResolutionBenchmark {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private Callers neverKept;
    private Callers kept;
    private int pid;

    @Setup
    public void start() {
        Processes processes = new Processes();
        CgroupLayout layout = CgroupLayout.discover();
        neverKept = new Callers(processes, layout, 0, 1 << 16, System::nanoTime, new BootTicks(Path.of("/proc")));
        kept = new Callers(processes, layout, HOUR, 1 << 16, System::nanoTime, new BootTicks(Path.of("/proc")));
        pid = (int) ProcessHandle.current().pid();
        kept.resolve(pid);
    }

    @Benchmark
    public Callers.Resolved cold() {
        return neverKept.resolve(pid);
    }

    @Benchmark
    public Callers.Resolved warm() {
        return kept.resolve(pid);
    }
}
