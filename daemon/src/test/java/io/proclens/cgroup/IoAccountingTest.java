package io.proclens.cgroup;

import static io.proclens.cgroup.Fixtures.assertThrowsKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proclens.cgroup.Cgroup.Controller;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IoAccountingTest {

    private final IoAccounting io = new IoAccounting();

    /** A fixture tree copied to a temp dir and the cgroup its /proc/PID/cgroup text names. */
    record Tree(Path root, CgroupLayout layout, Cgroup cgroup) {
        static Tree of(String fixture, String procPidCgroup, Path temp) {
            Path copy = Fixtures.copy(fixture, temp.resolve(fixture));
            return of(copy, Fixtures.read(copy.resolve("mountinfo")), Fixtures.read(copy.resolve(procPidCgroup)));
        }

        static Tree of(Path copy, String mountinfo, String procPidCgroup) {
            Path root = copy.resolve("root");
            CgroupLayout layout = CgroupLayout.parse(mountinfo, root);
            return new Tree(root, layout, layout.cgroupOf(procPidCgroup));
        }

        Path cg(String path) {
            return root.resolve("sys/fs/cgroup").resolve(path);
        }

        void write(String path, String text) {
            Fixtures.write(cg(path), text);
        }

        void delete(String path) {
            Fixtures.delete(cg(path));
        }
    }

    /** A record with only the numbers v2 has (and v1 without scheduler files). */
    private static DeviceIo counts(int major, int minor, long rios, long rsectors, long wios, long wsectors,
                                   long dios, long dsectors) {
        return new DeviceIo(major, minor, rios, 0, rsectors, 0, wios, 0, wsectors, 0, 0, dios, 0, dsectors, 0);
    }

    /** Reads through a file source that fails or removes the cgroup after {@code trigger} is read. */
    private static IoAccounting removingAfter(Path dir, String trigger, boolean failInstead) {
        return new IoAccounting(file -> {
            String text = CgroupFiles.readOrNull(file);
            if (file.getFileName().toString().equals(trigger)) {
                Fixtures.deleteTree(dir);
                if (failInstead) {
                    throw new CgroupException(CgroupException.Kind.IO_ERROR, "read " + file,
                            new IOException("No such device"));
                }
            }
            return text;
        });
    }

    // =============================== cgroup v1 (blkio) ===============================

    @Nested
    class V1 {
        static final String LEAF = "blkio/proclens-disk-test/";
        Tree tree;

        @BeforeEach
        void copy(@TempDir Path temp) {
            tree = Tree.of("io-hybrid", "proc-self-cgroup", temp);
        }

        List<DeviceIo> devices() {
            return io.devices(tree.cgroup()).orElseThrow(() -> new AssertionError("no I/O numbers"));
        }

        @Test
        void realFilesOfThisMachine() {
            // Kernel 6.18, hybrid: 32 MiB written and read back with O_DIRECT in a test cgroup, after a throttle
            // limit on vda (254:0) made blk-throttle count; the ext4 truncate discarded 32 MiB. No CFQ files, the
            // BFQ files list nothing (vda uses no scheduler): merges and times are 0.
            assertEquals(CgroupLayout.Mode.HYBRID, tree.layout().mode());
            assertEquals(List.of(counts(254, 0, 514, 33595392 / 512, 49, 33619968 / 512, 1, 33554432 / 512)),
                    devices());
        }

        @Test
        void pureV1LayoutReadsTheSame(@TempDir Path temp) {
            Path copy = Fixtures.copy("io-hybrid", temp.resolve("v1"));
            String mountinfo = Fixtures.read(copy.resolve("mountinfo")).replaceAll("(?m)^.* - cgroup2 .*\n", "");
            Tree v1 = Tree.of(copy, mountinfo, Fixtures.read(copy.resolve("proc-self-cgroup")));
            assertEquals(CgroupLayout.Mode.V1, v1.layout().mode());
            assertEquals(devices(), io.devices(v1.cgroup()).orElseThrow());
        }

        @Test
        void cfqFilesGiveMergesAndTimes() {
            // The files of a pre-5.0 kernel with CFQ, read as LXCFS 5.0.3 reads them; times are in ns.
            tree.write(LEAF + "blkio.io_merged_recursive",
                    "254:0 Read 7\n254:0 Write 11\n254:0 Sync 18\n254:0 Async 0\n254:0 Total 18\nTotal 18\n");
            tree.write(LEAF + "blkio.io_service_time_recursive",
                    "254:0 Read 2500000\n254:0 Write 4000000\n254:0 Sync 6500000\n254:0 Async 0\n"
                            + "254:0 Total 6500000\nTotal 6500000\n");
            tree.write(LEAF + "blkio.io_wait_time_recursive",
                    "254:0 Read 1600000\n254:0 Write 999999\n254:0 Sync 2599999\n254:0 Async 0\n"
                            + "254:0 Total 2599999\nTotal 2599999\n");
            DeviceIo d = devices().getFirst();
            assertEquals(7, d.readMerges());
            assertEquals(11, d.writeMerges());
            assertEquals(4, d.readTicksMs(), "(2.5 + 1.6) ms of service and queue time");
            assertEquals(4, d.writeTicksMs(), "(4 + 0.999999) ms, summed before rounding down");
            assertEquals(6, d.ioTicksMs(), "service time of all requests, as LXCFS");
            assertEquals(514, d.readIos(), "counts still from the throttle files");
        }

        @Test
        void bfqDebugFilesServeWhenThereAreNoCfqFiles() {
            tree.write(LEAF + "blkio.bfq.io_merged_recursive", "254:0 Read 3\n254:0 Write 4\n254:0 Discard 5\nTotal 12\n");
            tree.write(LEAF + "blkio.bfq.io_service_time_recursive",
                    "254:0 Read 9000000\n254:0 Discard 2000000\n254:0 Total 9000000\nTotal 9000000\n");
            DeviceIo d = devices().getFirst();
            assertEquals(3, d.readMerges());
            assertEquals(5, d.discardMerges());
            assertEquals(9, d.readTicksMs());
            assertEquals(2, d.discardTicksMs());
            assertEquals(0, d.writeTicksMs(), "no wait-time file: service time alone");
        }

        @Test
        void cfqWinsOverBfqForTheSameFile() {
            tree.write(LEAF + "blkio.io_merged_recursive", "254:0 Read 1\n");
            tree.write(LEAF + "blkio.bfq.io_merged_recursive", "254:0 Read 2\n");
            assertEquals(1, devices().getFirst().readMerges());
        }

        @Test
        void aDeviceTheThrottleFilesDoNotListIsReadFromTheSchedulerFiles() {
            // Since Linux 6.10 blk-throttle counts a device only after a limit is set on it: 8:0 has no throttle line.
            tree.write(LEAF + "blkio.bfq.io_service_bytes_recursive",
                    "8:0 Read 8192\n8:0 Write 4096\n8:0 Total 12288\n254:0 Read 512\nTotal 12800\n");
            tree.write(LEAF + "blkio.bfq.io_serviced_recursive",
                    "8:0 Read 2\n8:0 Write 1\n8:0 Total 3\n254:0 Read 1\nTotal 4\n");
            assertEquals(List.of(
                    counts(8, 0, 2, 16, 1, 8, 0, 0),
                    counts(254, 0, 514, 33595392 / 512, 49, 33619968 / 512, 1, 33554432 / 512)), devices(),
                    "8:0 from BFQ; 254:0 from the throttle files, which list it");
        }

        @Test
        void throttleFilesThatListNothingGiveNoDevices() {
            // What this machine shows before any throttle limit is set: the files exist, with only "Total 0".
            tree.write(LEAF + "blkio.throttle.io_service_bytes_recursive", "Total 0\n");
            tree.write(LEAF + "blkio.throttle.io_serviced_recursive", "Total 0\n");
            assertEquals(Optional.of(List.of()), io.devices(tree.cgroup()));
        }

        @Test
        void withoutAnyCountFileThereAreNoNumbers() {
            for (String f : List.of("throttle.io_service_bytes_recursive", "throttle.io_serviced_recursive",
                    "bfq.io_service_bytes_recursive", "bfq.io_serviced_recursive")) {
                tree.delete(LEAF + "blkio." + f);
            }
            assertEquals(Optional.empty(), io.devices(tree.cgroup()));
        }

        @Test
        void onlyTheIosFileGivesIosAndNoSectors() {
            tree.delete(LEAF + "blkio.throttle.io_service_bytes_recursive");
            assertEquals(List.of(counts(254, 0, 514, 0, 49, 0, 1, 0)), devices());
        }

        @Test
        void linesThatAreNotDeviceLinesAreSkipped() {
            tree.write(LEAF + "blkio.throttle.io_serviced_recursive",
                    "\n  \nTotal 9\nsomething else entirely\n8:x Read 5\n254:0 Read 6\n254:0 Sync 6\n254:0 Flush 1\n");
            assertEquals(6, devices().getFirst().readIos());
        }

        @Test
        void theFirstOfARepeatedFieldWins() {
            tree.write(LEAF + "blkio.throttle.io_serviced_recursive", "254:0 Read 6\n254:0 Read 7\n");
            assertEquals(6, devices().getFirst().readIos());
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "254:0 Read abc",
                "254:0 Read -1",
                "254:0 Read 9223372036854775808", // above a long
                "254:0 Read",
                "254:0 Read 1 2",
                "254:0 Sync x", // a field we do not use is still a counter
                "4294967296:0 Read 1", // no device number is that large
        })
        void malformedDeviceLines(String line) {
            tree.write(LEAF + "blkio.throttle.io_serviced_recursive", line + "\nTotal 1\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> io.devices(tree.cgroup()));
        }

        @Test
        void timesTooLargeToAddDoNotWrap() {
            tree.write(LEAF + "blkio.io_service_time_recursive", "254:0 Read " + Long.MAX_VALUE + "\n");
            tree.write(LEAF + "blkio.io_wait_time_recursive", "254:0 Read " + Long.MAX_VALUE + "\n");
            assertEquals(Long.MAX_VALUE / 1_000_000, devices().getFirst().readTicksMs());
        }

        @Test
        void noIoControllerGivesNothing() {
            Cgroup memoryOnly = Cgroup.of(Map.of(Controller.MEMORY, tree.cgroup().memory().orElseThrow()));
            assertEquals(Optional.empty(), io.devices(memoryOnly));
        }

        @Test
        void aRemovedCgroupIsGone() {
            Fixtures.deleteTree(tree.cg(LEAF));
            assertThrowsKind(CgroupException.Kind.GONE, () -> io.devices(tree.cgroup()));
        }

        @ParameterizedTest
        @ValueSource(strings = {"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive",
                "blkio.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive", "blkio.io_merged_recursive"})
        void removedWhileReadIsGone(String trigger) {
            IoAccounting reader = removingAfter(tree.cg(LEAF), trigger, false);
            assertThrowsKind(CgroupException.Kind.GONE, () -> reader.devices(tree.cgroup()));
        }

        @Test
        void anIoErrorOnARemovedCgroupIsGone() {
            IoAccounting reader = removingAfter(tree.cg(LEAF), "blkio.throttle.io_serviced_recursive", true);
            assertThrowsKind(CgroupException.Kind.GONE, () -> reader.devices(tree.cgroup()));
        }

        @Test
        void anIoErrorOnALiveCgroupIsAnIoError() {
            IoAccounting reader = new IoAccounting(file -> {
                throw new CgroupException(CgroupException.Kind.IO_ERROR, "read " + file, new IOException("EACCES"));
            });
            assertThrowsKind(CgroupException.Kind.IO_ERROR, () -> reader.devices(tree.cgroup()));
        }
    }

    // =============================== cgroup v2 (io) ===============================

    @Nested
    class V2 {
        static final String LEAF = "system.slice/docker-7d3e9a.scope/";
        Tree tree;

        @BeforeEach
        void copy(@TempDir Path temp) {
            tree = Tree.of("io-v2", "proc-pid-cgroup", temp);
        }

        List<DeviceIo> devices() {
            return io.devices(tree.cgroup()).orElseThrow(() -> new AssertionError("no I/O numbers"));
        }

        @Test
        void ioStatOfTheContainer() {
            // iocost's cost.* keys are not ours; devices come out ordered by number.
            assertEquals(CgroupLayout.Mode.V2, tree.layout().mode());
            assertEquals(List.of(
                    counts(253, 0, 1, 8, 0, 0, 0, 0),
                    counts(259, 0, 3105, 151769088 / 512, 41712, 2219122688L / 512, 1, 8)), devices());
        }

        @Test
        void kernelsBefore419HaveNoDiscardKeys() {
            tree.write(LEAF + "io.stat", "8:0 rbytes=1024 wbytes=2048 rios=1 wios=2\n");
            assertEquals(List.of(counts(8, 0, 1, 2, 2, 4, 0, 0)), devices());
        }

        @Test
        void unknownKeysMayHoldAnything() {
            tree.write(LEAF + "io.stat", "8:0 rbytes=1024 cost.vrate=100.00 depth=max avg_lat=12.5 rios=1\n");
            assertEquals(List.of(counts(8, 0, 1, 2, 0, 0, 0, 0)), devices());
        }

        @Test
        void theFirstLineOfARepeatedDeviceWins() {
            tree.write(LEAF + "io.stat", "8:0 rios=1\n8:0 rios=2\n");
            assertEquals(1, devices().getFirst().readIos());
        }

        @Test
        void anEmptyIoStatGivesNoDevices() {
            tree.write(LEAF + "io.stat", "");
            assertEquals(Optional.of(List.of()), io.devices(tree.cgroup()));
        }

        @Test
        void withoutIoStatThereAreNoNumbers() {
            // io not enabled in the parent's cgroup.subtree_control: the kernel creates no io.* files here.
            tree.delete(LEAF + "io.stat");
            assertEquals(Optional.empty(), io.devices(tree.cgroup()));
        }

        @Test
        void withoutTheIoControllerThereAreNoNumbers() {
            tree.write("cgroup.controllers", "cpuset cpu memory pids\n");
            Tree noIo = Tree.of(tree.root().getParent(), Fixtures.read(tree.root().resolveSibling("mountinfo")),
                    Fixtures.read(tree.root().resolveSibling("proc-pid-cgroup")));
            assertEquals(Optional.empty(), noIo.cgroup().io());
            assertEquals(Optional.empty(), io.devices(noIo.cgroup()));
        }

        @ParameterizedTest
        @ValueSource(strings = {"8:0 rbytes=abc", "8:0 rbytes", "8:0 rios=-5", "8:0 wios=1e3",
                "8:0 dbytes=99999999999999999999", "8:0 =5"})
        void malformedLines(String line) {
            tree.write(LEAF + "io.stat", line + "\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> io.devices(tree.cgroup()));
        }

        @Test
        void aRemovedCgroupIsGone() {
            Fixtures.deleteTree(tree.cg(LEAF));
            assertThrowsKind(CgroupException.Kind.GONE, () -> io.devices(tree.cgroup()));
        }

        @Test
        void removedJustBeforeTheReadIsGone() {
            AtomicInteger reads = new AtomicInteger();
            IoAccounting reader = new IoAccounting(file -> {
                reads.incrementAndGet();
                Fixtures.deleteTree(tree.cg(LEAF));
                return CgroupFiles.readOrNull(file);
            });
            assertThrowsKind(CgroupException.Kind.GONE, () -> reader.devices(tree.cgroup()));
            assertEquals(1, reads.get());
        }
    }
}
