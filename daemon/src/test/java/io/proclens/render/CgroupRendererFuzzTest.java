package io.proclens.render;

import io.proclens.Hostile;
import io.proclens.cgroup.CgroupLayout;
import io.proclens.cgroup.MemoryAndCpuReader;
import io.proclens.cgroup.CpuAccounting;
import io.proclens.cgroup.IoAccounting;
import io.proclens.cgroup.Pressure;
import io.proclens.cgroup.Processes;
import io.proclens.cgroup.SlabAccounting;
import io.proclens.cgroup.TaskStates;
import io.proclens.fs.Filesystem;
import io.proclens.fs.FsException;
import io.proclens.fs.ProcFs;
import io.proclens.fs.VirtualFile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The whole request path on a hostile machine: host /proc files, the caller's /proc/PID files and its v2 cgroup's
 * files all fuzzed. Every open through ProcFs and CgroupRenderer answers a snapshot or an FsException (an errno),
 * never anything else that the FUSE upcall would have to turn into EIO.
 */
class CgroupRendererFuzzTest {
    private static final int PID = 4242;

    private static String resource(String name) {
        try (InputStream in = CgroupRendererFuzzTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Relative path to seed text; each file is written fuzzed. */
    private static final Map<String, String> SEEDS = Map.ofEntries(
            Map.entry("proc/meminfo", resource("/view/meminfo-host-swap.txt")),
            Map.entry("proc/cpuinfo", resource("/view/cpuinfo-4cpu.txt")),
            Map.entry("proc/stat", resource("/view/stat/host-4cpu.txt")),
            Map.entry("proc/uptime", "258.06 1000.50\n"),
            Map.entry("proc/diskstats", resource("/view/disk/diskstats-host.txt")),
            Map.entry("proc/swaps", resource("/view/disk/swaps-host-3.txt")),
            Map.entry("proc/slabinfo", resource("/view/disk/slabinfo-host.txt")),
            Map.entry("proc/loadavg", "0.10 0.20 0.30 1/100 4242\n"),
            Map.entry("proc/vmstat", "nr_free_pages 100\npgfault 5000\npgpgin 10\nnr_dirty_threshold 9\n"),
            Map.entry("proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
            Map.entry("proc/pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
            Map.entry("proc/pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
            Map.entry("sys/devices/system/cpu/online", "0-3\n"),
            Map.entry("sys/devices/system/cpu/possible", "0-3\n"),
            Map.entry("sys/devices/system/cpu/present", "0-3\n"),
            Map.entry("sys/devices/system/cpu/offline", "\n"),
            Map.entry("proc/" + PID + "/stat", "4242 (a) b) S 1 4242 4242 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 500 "
                    + "4628000 300 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0\n"),
            Map.entry("proc/" + PID + "/cgroup", "0::/c\n"),
            Map.entry("sys/fs/cgroup/c/memory.current", "536870912\n"),
            Map.entry("sys/fs/cgroup/c/memory.max", "1073741824\n"),
            Map.entry("sys/fs/cgroup/c/memory.stat", resource(
                    "/cgroup/v2/root/sys/fs/cgroup/system.slice/docker-4f1c2a.scope/memory.stat")),
            Map.entry("sys/fs/cgroup/c/memory.swap.current", "0\n"),
            Map.entry("sys/fs/cgroup/c/cpu.stat", "usage_usec 123456789\nuser_usec 100000000\nsystem_usec 23456789\n"),
            Map.entry("sys/fs/cgroup/c/cpu.max", "150000 100000\n"),
            Map.entry("sys/fs/cgroup/c/cpuset.cpus.effective", "1-2\n"),
            Map.entry("sys/fs/cgroup/c/io.stat", resource("/cgroup/io-v2/root/sys/fs/cgroup/io.stat")),
            Map.entry("sys/fs/cgroup/c/cpu.pressure", "some avg10=1.00 avg60=0.50 avg300=0.10 total=12345\n"
                    + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
            Map.entry("sys/fs/cgroup/c/cgroup.threads", "4242\n"));
    private static final List<String> NAMES = List.copyOf(SEEDS.keySet());

    /** For each file: its text, or null to leave it valid; about a third of the files fuzzed per try. */
    @Provide
    Arbitrary<List<String>> machine() {
        List<Arbitrary<String>> texts = NAMES.stream().map(name -> Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.just(SEEDS.get(name))),
                net.jqwik.api.Tuple.of(1, Hostile.text(SEEDS.get(name))))).toList();
        return Combinators.combine(texts).as(List::copyOf);
    }

    @Property(tries = 100)
    void everyOpenAnswersASnapshotOrAnErrno(@ForAll("machine") List<String> texts, @ForAll boolean cfs,
                                            @ForAll boolean swap) throws IOException, FsException {
        Path root = Hostile.tempDir();
        try {
            for (int i = 0; i < NAMES.size(); i++) Hostile.write(root.resolve(NAMES.get(i)), texts.get(i));
            Hostile.write(root.resolve("sys/fs/cgroup/cgroup.controllers"), "cpuset cpu io memory pids\n");
            Files.createDirectories(root.resolve("proc/self/ns"));
            Files.createDirectories(root.resolve("proc/" + PID + "/ns"));
            Files.createSymbolicLink(root.resolve("proc/self/ns/pid"), Path.of("pid:[4026531836]"));
            Files.createSymbolicLink(root.resolve("proc/" + PID + "/ns/pid"), Path.of("pid:[4026531836]"));
            CgroupLayout layout = CgroupLayout.parse(
                    "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n", root);
            Sources sources = new Sources(layout, new Processes(root.resolve("proc")), new MemoryAndCpuReader(),
                    new CpuAccounting(), new IoAccounting(), new SlabAccounting(), new TaskStates(root.resolve("proc")),
                    new Pressure());
            try (CgroupRenderer renderer = new CgroupRenderer(root, sources, new Options(cfs, false, swap),
                    Duration.ZERO)) {
                ProcFs fs = new ProcFs(List.of(VirtualFile.values()), renderer, root);
                for (VirtualFile file : VirtualFile.values()) {
                    long ino = Filesystem.ROOT;
                    for (String name : file.path().split("/")) ino = fs.lookup(ino, name).ino();
                    long node = ino;
                    long handle = fs.open(node, 0);
                    MemorySegment bytes = Hostile.outcome(() -> fs.read(node, handle, 0, Integer.MAX_VALUE, PID),
                            FsException.class, null, file + " of " + NAMES + " = " + texts);
                    // every host file exists: whatever its bytes and the cgroup's, the answer is a file, not EIO
                    assertTrue(bytes != null, () -> file + " answered an errno");
                    fs.release(handle);
                }
            }
        } finally {
            Hostile.deleteTree(root);
        }
    }
}
