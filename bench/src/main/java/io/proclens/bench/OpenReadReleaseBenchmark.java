package io.proclens.bench;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.fs.Filesystem;
import io.proclens.fs.FsException;
import io.proclens.fs.ProcFs;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What one {@code cat proc/meminfo} costs the daemon once its snapshot is cached and the caller resolved: the
 * calls the open, read and release upcalls make (open, a read of the whole file, the read at its end that says
 * EOF, release), with this JVM's own pid as the caller. Run with {@code -prof gc}: gc.alloc.rate.norm is what
 * the steady-state path allocates per file read. {@link #rereadMeminfo} is the same for a descriptor kept open and
 * read again from offset 0.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class OpenReadReleaseBenchmark {
    private static final int READ_SIZE = 131072; // what the kernel asks for with direct I/O and a big buffer

    private CgroupRenderer renderer;
    private ProcFs fs;
    private long meminfo;
    private int pid;
    /** A handle kept open for {@link #rereadMeminfo}, as procps keeps its descriptors. */
    private long kept;

    @Setup
    public void mount() throws FsException {
        renderer = new CgroupRenderer(Path.of("/"), Sources.ofHost(CgroupLayout.discover()), Options.DEFAULTS,
                Duration.ofHours(1));
        fs = new ProcFs(VirtualFile.servedHere(Path.of("/proc")), renderer, Path.of("/"));
        meminfo = fs.lookup(fs.lookup(Filesystem.ROOT, "proc").ino(), "meminfo").ino();
        pid = (int) ProcessHandle.current().pid();
        long warm = fs.open(meminfo, 0);
        fs.read(meminfo, warm, 0, READ_SIZE, pid); // renders and caches the snapshot, resolves the caller
        fs.release(warm);
        kept = fs.open(meminfo, 0);
    }

    @TearDown
    public void unmount() {
        fs.release(kept);
        renderer.close();
    }

    /**
     * The reply upcall hands only the address and length of the read's bytes to fuse_reply_buf, so that is what
     * is consumed here (a segment passed to a downcall is not kept).
     */
    @Benchmark
    public void catMeminfo(Blackhole out) throws FsException {
        long handle = fs.open(meminfo, 0);
        MemorySegment bytes = fs.read(meminfo, handle, 0, READ_SIZE, pid);
        out.consume(bytes.address());
        out.consume(bytes.byteSize());
        MemorySegment eof = fs.read(meminfo, handle, bytes.byteSize(), READ_SIZE, pid);
        out.consume(eof.byteSize());
        fs.release(handle);
    }

    /**
     * What one refresh of procps costs on a descriptor it keeps: pread at offset 0, which renders anew through the
     * snapshot cache (a hit here), and the read at the end that says EOF.
     */
    @Benchmark
    public void rereadMeminfo(Blackhole out) throws FsException {
        MemorySegment bytes = fs.read(meminfo, kept, 0, READ_SIZE, pid);
        out.consume(bytes.address());
        out.consume(bytes.byteSize());
        MemorySegment eof = fs.read(meminfo, kept, bytes.byteSize(), READ_SIZE, pid);
        out.consume(eof.byteSize());
    }
}
