package io.proclens.cgroup;

import static io.proclens.cgroup.Fixtures.assertThrowsKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryAndCpuReaderTest {
    private static final long MIB = 1024 * 1024;
    private static final long GIB = 1024 * MIB;

    private final MemoryAndCpuReader reader = new MemoryAndCpuReader();

    /** A fixture tree copied to a temp dir, its layout, and the cgroup of its /proc/PID/cgroup text. */
    record Tree(Path root, Cgroup cgroup) {
        static Tree of(String fixture, String procPidCgroup, Path temp) {
            Path copy = Fixtures.copy(fixture, temp.resolve(fixture));
            Path root = copy.resolve("root");
            CgroupLayout layout = CgroupLayout.parse(Fixtures.read(copy.resolve("mountinfo")), root);
            return new Tree(root, layout.cgroupOf(Fixtures.read(copy.resolve(procPidCgroup))));
        }

        Path cg(String path) {
            return root.resolve("sys/fs/cgroup").resolve(path);
        }

        void write(String path, String text) {
            Fixtures.write(cg(path), text);
        }
    }

    // =============================== cgroup v1 memory ===============================

    @Nested
    class V1Memory {
        static final String MEM = "memory/";
        static final String PARENT = "memory/process_api/";
        static final String LEAF = "memory/process_api/547ee52e0a62869e25aaf7d9318afa5e/";
        Tree tree;

        @BeforeEach
        void copy(@TempDir Path temp) {
            tree = Tree.of("hybrid", "proc-self-cgroup", temp);
        }

        MemoryStats memory() {
            return reader.memory(tree.cgroup());
        }

        @Test
        void realFilesOfThisMachine() {
            // values of the real files copied into the fixture; 9223372036854771712 everywhere is "unlimited"
            assertEquals(new MemoryStats(MemoryStats.UNLIMITED, 7016448, MemoryStats.UNLIMITED, 7241728 - 7016448,
                    3100672, 12288, 2084864, 2244608, 856064, 0, 0, 131072, 0, 0, 0, 163840, 0), memory());
        }

        @Test
        void dirtyAndWritebackAreTheHierarchicalTotals() {
            // the cgroup's own (dirty, writeback) leave out its children: total_* are the numbers, as in LXCFS
            tree.write(LEAF + "memory.stat",
                    "dirty 4096\nwriteback 8192\ntotal_dirty 1048576\ntotal_writeback 2101248\n");
            MemoryStats stats = memory();
            assertEquals(1048576, stats.dirty());
            assertEquals(2101248, stats.writeback());
        }

        @Test
        void limitIsTheSmallestAlongAncestors() {
            tree.write(PARENT + "memory.limit_in_bytes", "536870912\n");
            tree.write(LEAF + "memory.limit_in_bytes", "1073741824\n");
            assertEquals(512 * MIB, memory().limit());

            tree.write(LEAF + "memory.limit_in_bytes", "268435456\n");
            assertEquals(256 * MIB, memory().limit());

            tree.write(LEAF + "memory.limit_in_bytes", "9223372036854771712\n");
            tree.write(PARENT + "memory.limit_in_bytes", "9223372036854771712\n");
            tree.write(MEM + "memory.limit_in_bytes", "134217728\n");
            assertEquals(128 * MIB, memory().limit(), "the hierarchy root counts too");
        }

        @Test
        void theWalkStopsAtTheHierarchyRoot() {
            // a file above the mount point (here in the tmpfs /sys/fs/cgroup) belongs to no cgroup
            Fixtures.write(tree.root().resolve("sys/fs/cgroup/memory.limit_in_bytes"), "4096\n");
            Fixtures.write(tree.root().resolve("sys/fs/memory.limit_in_bytes"), "4096\n");
            assertEquals(MemoryStats.UNLIMITED, memory().limit());
        }

        @ParameterizedTest
        @CsvSource({
                "9223372036854771712, " + Long.MAX_VALUE, // what v1 prints for "no limit"
                "4611686018427387904, " + Long.MAX_VALUE, // 2^62
                "18446744073709551615, " + Long.MAX_VALUE, // above a long
                "4611686018427387903, 4611686018427387903", // just below 2^62: a number
                "0000000000000000000000001073741824, 1073741824", // leading zeros are not overflow
                "1099511627776, 1099511627776", // 1 TiB, above this host's RAM: reported as is, the view caps it
        })
        void limitValues(String text, long expected) {
            tree.write(LEAF + "memory.limit_in_bytes", text + "\n");
            assertEquals(expected, memory().limit());
        }

        @Test
        void swapIsMemswMinusMemory() {
            tree.write(LEAF + "memory.limit_in_bytes", "1073741824\n");
            tree.write(PARENT + "memory.memsw.limit_in_bytes", "1610612736\n");
            MemoryStats stats = memory();
            assertEquals(GIB, stats.limit());
            assertEquals(512 * MIB, stats.swapLimit());
        }

        @Test
        void memswBelowMemoryLimitIsZeroSwapNotNegative() {
            tree.write(LEAF + "memory.limit_in_bytes", "1073741824\n");
            tree.write(LEAF + "memory.memsw.limit_in_bytes", "536870912\n");
            assertEquals(0, memory().swapLimit());
        }

        @Test
        void memswLimitedButMemoryUnlimitedGivesTheMemswLimit() {
            tree.write(PARENT + "memory.memsw.limit_in_bytes", "2147483648\n");
            assertEquals(2 * GIB, memory().swapLimit());
        }

        @Test
        void memoryLimitedButMemswUnlimitedGivesUnlimitedSwap() {
            tree.write(LEAF + "memory.limit_in_bytes", "1073741824\n");
            assertEquals(MemoryStats.UNLIMITED, memory().swapLimit());
        }

        @Test
        void memswUsageBelowUsageIsZeroSwapUsage() {
            tree.write(LEAF + "memory.usage_in_bytes", "2000000\n");
            tree.write(LEAF + "memory.memsw.usage_in_bytes", "1000000\n");
            assertEquals(0, memory().swapUsage());
        }

        @Test
        void missingStatFieldsAreZero() {
            tree.write(LEAF + "memory.stat", "total_cache 4096\ncache 999\n");
            MemoryStats stats = memory();
            assertEquals(4096, stats.cache());
            assertEquals(0, stats.shmem());
            assertEquals(0, stats.activeAnon());
            assertEquals(0, stats.dirty(), "the fixture's total_dirty is gone with the file");
            assertEquals(0, stats.writeback());
        }

        @Test
        void oddLinesOfMemoryStatThatWeDoNotUseAreIgnored() {
            tree.write(LEAF + "memory.stat", "garbage\n\ntotal_pgfault lots\ntotal_cache 8192\n");
            assertEquals(8192, memory().cache());
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "", "\n", "-5", "max", "12 34", "1.5", "0x10", "99999999999999999999", "1e9"})
        void malformedUsage(String text) {
            tree.write(LEAF + "memory.usage_in_bytes", text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, this::memory);
        }

        @ParameterizedTest
        @ValueSource(strings = {"max", "-1", "", "unlimited", "1 2"})
        void malformedV1Limit(String text) {
            tree.write(PARENT + "memory.limit_in_bytes", text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, this::memory);
        }

        @ParameterizedTest
        @ValueSource(strings = {"total_cache abc", "total_cache -1", "total_shmem 99999999999999999999", "total_rss_huge",
                "total_dirty lots", "total_writeback -4096"})
        void malformedStatField(String line) {
            tree.write(LEAF + "memory.stat", "total_rss 1\n" + line + "\n");
            if (line.equals("total_rss_huge")) {
                assertEquals(0, memory().anonHuge(), "a key without a value is no field: absent, 0");
            } else {
                assertThrowsKind(CgroupException.Kind.MALFORMED, this::memory);
            }
        }

        @Test
        void malformedMemswUsage() {
            tree.write(LEAF + "memory.memsw.usage_in_bytes", "n/a\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, this::memory);
        }

        @Test
        void removedCgroupIsGone() {
            Fixtures.deleteTree(tree.cg(LEAF));
            assertThrowsKind(CgroupException.Kind.GONE, this::memory);
        }

        @Test
        void noMemswFilesIsNoSwapAccounting(@TempDir Path temp) {
            // a kernel booted with swapaccount=0 (the co-mounted fixture has no memory.memsw.* at all)
            Tree comounted = Tree.of("v1-comounted", "proc-pid-cgroup", temp);
            assertEquals(new MemoryStats(256 * MIB, 128 * MIB, MemoryStats.NO_SWAP_ACCOUNTING, 0,
                    33554432, 4096, 100663296, 16777216, 16777216, 8192, 0, 8388608, 2097152, 0, 0,
                    1048576, 524288),
                    reader.memory(comounted.cgroup()));
        }

        @Test
        void swappinessIsTheCgroupsOwn() {
            tree.write(LEAF + "memory.swappiness", "0\n");
            assertEquals(0, memory().swappiness());
            assertTrue(memory().neverSwaps());
            tree.write(LEAF + "memory.swappiness", "60\n");
            assertEquals(60, memory().swappiness());
            for (String bad : new String[] {"", "-1\n", "201\n", "sixty\n"}) {
                tree.write(LEAF + "memory.swappiness", bad);
                assertEquals(MemoryStats.UNKNOWN, memory().swappiness(), bad);
            }
        }

        @Test
        void memswLimitFileWithoutUsageFileIsNoSwapAccounting() {
            Fixtures.delete(tree.cg(LEAF + "memory.memsw.usage_in_bytes"));
            MemoryStats stats = memory();
            assertEquals(MemoryStats.NO_SWAP_ACCOUNTING, stats.swapLimit());
            assertEquals(0, stats.swapUsage());
        }
    }

    // =============================== cgroup v2 memory ===============================

    @Nested
    class V2Memory {
        static final String PARENT = "system.slice/";
        static final String LEAF = "system.slice/docker-4f1c2a.scope/";
        Tree tree;

        @BeforeEach
        void copy(@TempDir Path temp) {
            tree = Tree.of("v2", "proc-pid-cgroup", temp);
        }

        MemoryStats memory() {
            return reader.memory(tree.cgroup());
        }

        @Test
        void kernelShapedFiles() {
            // swap.max (256M) below memory.max (512M) is reported as it is
            assertEquals(new MemoryStats(512 * MIB, 100 * MIB, 256 * MIB, 4096,
                    40960000, 8192, 52396032, 10240000, 30720000, 16384, 4096, 20480000, 2097152, 614400, 450560,
                    3145728, 1048576, MemoryStats.UNKNOWN, 0, 0),
                    memory());
        }

        @Test
        void zswapIsTheCgroupsWhereTheKernelHasIt() {
            tree.write(LEAF + "memory.stat", "file 8192\nzswap 4096\nzswapped 16384\n");
            assertEquals(4096, memory().zswap());
            assertEquals(16384, memory().zswapped());
            tree.write(LEAF + "memory.stat", "file 8192\n"); // a kernel without zswap
            assertEquals(MemoryStats.UNKNOWN, memory().zswap());
            assertEquals(MemoryStats.UNKNOWN, memory().zswapped());
        }

        @Test
        void dirtyAndWritebackAreFileDirtyAndFileWriteback() {
            // v1's names mean nothing on v2
            tree.write(LEAF + "memory.stat",
                    "file 8192\nfile_dirty 12288\nfile_writeback 20480\ntotal_dirty 1\ndirty 2\nwriteback 3\n");
            MemoryStats stats = memory();
            assertEquals(12288, stats.dirty());
            assertEquals(20480, stats.writeback());
        }

        @Test
        void missingStatFieldsAreZero() {
            tree.write(LEAF + "memory.stat", "file 8192\nanon 4096\n");
            MemoryStats stats = memory();
            assertEquals(8192, stats.cache());
            assertEquals(0, stats.dirty(), "the fixture's file_dirty is gone with the file");
            assertEquals(0, stats.writeback(), "the fixture's file_writeback is gone with the file");
            assertEquals(0, stats.slabReclaimable());
        }

        @ParameterizedTest
        @ValueSource(strings = {"file_dirty lots", "file_writeback -4096", "file_dirty 99999999999999999999"})
        void malformedStatField(String line) {
            tree.write(LEAF + "memory.stat", "file 8192\n" + line + "\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, this::memory);
        }

        @Test
        void maxIsUnlimitedAndTheRootHasNoMemoryMax() {
            tree.write(LEAF + "memory.max", "max\n");
            assertEquals(MemoryStats.UNLIMITED, memory().limit());
        }

        @Test
        void limitIsTheSmallestAlongAncestors() {
            tree.write(LEAF + "memory.max", "max\n");
            tree.write(PARENT + "memory.max", "1073741824\n");
            assertEquals(GIB, memory().limit());

            tree.write(LEAF + "memory.max", "2147483648\n");
            assertEquals(GIB, memory().limit());
        }

        @Test
        void limitAboveHostRamIsReportedAsItIs() {
            tree.write(LEAF + "memory.max", "1099511627776\n");
            assertEquals(1024 * GIB, memory().limit());
        }

        @Test
        void swapMaxIsTheSmallestAlongAncestors() {
            tree.write(LEAF + "memory.swap.max", "max\n");
            assertEquals(GIB, memory().swapLimit(), "system.slice has 1G");

            tree.write(PARENT + "memory.swap.max", "max\n");
            assertEquals(MemoryStats.UNLIMITED, memory().swapLimit());
        }

        @Test
        void noSwapFilesIsNoSwapAccounting() {
            Fixtures.delete(tree.cg(LEAF + "memory.swap.current"));
            Fixtures.delete(tree.cg(LEAF + "memory.swap.max"));
            MemoryStats stats = memory();
            assertEquals(MemoryStats.NO_SWAP_ACCOUNTING, stats.swapLimit());
            assertEquals(0, stats.swapUsage());
        }

        @ParameterizedTest
        @ValueSource(strings = {"unlimited", "-1", "", "max max", "5M"})
        void malformedMemoryMax(String text) {
            tree.write(PARENT + "memory.max", text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, this::memory);
        }

        @ParameterizedTest
        @ValueSource(strings = {"max", "", "-4096", "four"})
        void malformedMemoryCurrent(String text) {
            tree.write(LEAF + "memory.current", text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, this::memory);
        }

        @Test
        void malformedSwapCurrent() {
            tree.write(LEAF + "memory.swap.current", "max\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, this::memory);
        }

        @Test
        void memoryNotEnabledInTheCgroupIsNoController() {
            Fixtures.delete(tree.cg(LEAF + "memory.current"));
            assertThrowsKind(CgroupException.Kind.NO_CONTROLLER, this::memory);
        }

        @Test
        void removedCgroupIsGone() {
            Fixtures.deleteTree(tree.cg(LEAF));
            assertThrowsKind(CgroupException.Kind.GONE, this::memory);
        }
    }

    // =============================== removed while being read ===============================

    @Nested
    class RemovedWhileRead {
        static final String LEAF = "memory/process_api/547ee52e0a62869e25aaf7d9318afa5e";
        Tree tree;

        @BeforeEach
        void copy(@TempDir Path temp) {
            tree = Tree.of("hybrid", "proc-self-cgroup", temp);
        }

        /** Reads normally, but removes the leaf cgroup right after {@code trigger} has been read. */
        MemoryAndCpuReader removingAfter(String trigger, boolean thenFail) {
            return new MemoryAndCpuReader(file -> {
                if (!Files.isDirectory(tree.cg(LEAF))) {
                    if (thenFail) {
                        // kernfs answers ENODEV for a file of a removed cgroup that was looked up before
                        throw new CgroupException(CgroupException.Kind.IO_ERROR, "No such device: " + file);
                    }
                    return null;
                }
                String text = CgroupFiles.readOrNull(file);
                if (file.getFileName().toString().equals(trigger)) Fixtures.deleteTree(tree.cg(LEAF));
                return text;
            });
        }

        @ParameterizedTest
        @ValueSource(strings = {"memory.usage_in_bytes", "memory.stat", "memory.limit_in_bytes",
                "memory.memsw.usage_in_bytes"})
        void removedWhileReadIsGoneNotUnlimited(String trigger) {
            tree.write(LEAF + "/memory.limit_in_bytes", "1073741824\n");
            tree.write(LEAF + "/memory.memsw.limit_in_bytes", "1073741824\n");
            MemoryAndCpuReader reader = removingAfter(trigger, false);
            assertThrowsKind(CgroupException.Kind.GONE, () -> reader.memory(tree.cgroup()));
        }

        @Test
        void anIoErrorOnARemovedCgroupIsGone() {
            MemoryAndCpuReader reader = removingAfter("memory.usage_in_bytes", true);
            assertThrowsKind(CgroupException.Kind.GONE, () -> reader.memory(tree.cgroup()));
        }

        @Test
        void anIoErrorOnAnExistingCgroupIsAnIoError() {
            MemoryAndCpuReader reader = new MemoryAndCpuReader(file -> {
                throw new CgroupException(CgroupException.Kind.IO_ERROR, "Permission denied: " + file);
            });
            assertThrowsKind(CgroupException.Kind.IO_ERROR, () -> reader.memory(tree.cgroup()));
        }
    }

    // =============================== missing controllers ===============================

    @Test
    void noControllerAtAll() {
        Cgroup none = Cgroup.of(Map.of());
        assertThrowsKind(CgroupException.Kind.NO_CONTROLLER, () -> reader.memory(none));
        assertEquals(Optional.empty(), reader.cpuset(none));
        assertEquals(OptionalLong.empty(), reader.cpuUsageNanos(none));
        assertEquals(Optional.empty(), reader.cpuQuota(none));
    }

    // =============================== cpuset ===============================

    @Nested
    class Cpusets {
        @Test
        void v1RealRoot(@TempDir Path temp) {
            Tree tree = Tree.of("hybrid", "proc-self-cgroup", temp);
            assertEquals(Optional.of(CpuSet.parse("0-1")), reader.cpuset(tree.cgroup()));
        }

        @Test
        void v1EffectiveFirstThenCpusThenAncestors(@TempDir Path temp) {
            Tree tree = Tree.of("v1-comounted", "proc-pid-cgroup", temp);
            String leaf = "cpuset/docker/abc/";
            assertEquals(Optional.of(CpuSet.of(4, 5, 8)), reader.cpuset(tree.cgroup()), "no effective_cpus: cpus");

            tree.write(leaf + "cpuset.effective_cpus", "4\n");
            assertEquals(Optional.of(CpuSet.of(4)), reader.cpuset(tree.cgroup()), "effective_cpus first");

            tree.write(leaf + "cpuset.effective_cpus", "\n");
            assertEquals(Optional.of(CpuSet.of(4, 5, 8)), reader.cpuset(tree.cgroup()), "empty effective: cpus");

            tree.write(leaf + "cpuset.cpus", "\n");
            tree.write("cpuset/docker/cpuset.cpus", "0-2\n");
            assertEquals(Optional.of(CpuSet.parse("0-2")), reader.cpuset(tree.cgroup()), "then the parent");
        }

        @Test
        void v2WalksUpToTheNearestAncestorThatHasIt(@TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            assertEquals(Optional.of(CpuSet.of(2, 3)), reader.cpuset(tree.cgroup()));

            Fixtures.delete(tree.cg("system.slice/docker-4f1c2a.scope/cpuset.cpus.effective"));
            tree.write("system.slice/cpuset.cpus.effective", "1-5\n");
            assertEquals(Optional.of(CpuSet.parse("1-5")), reader.cpuset(tree.cgroup()));

            Fixtures.delete(tree.cg("system.slice/cpuset.cpus.effective"));
            assertEquals(Optional.of(CpuSet.parse("0-7")), reader.cpuset(tree.cgroup()), "the root's");

            Fixtures.delete(tree.cg("cpuset.cpus.effective"));
            assertEquals(Optional.empty(), reader.cpuset(tree.cgroup()), "nowhere: empty");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0-x", "3-1", "0,,1", "99999"})
        void malformed(String text, @TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            tree.write("system.slice/docker-4f1c2a.scope/cpuset.cpus.effective", text + "\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> reader.cpuset(tree.cgroup()));
        }

        @Test
        void removedCgroupIsGone(@TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            Fixtures.deleteTree(tree.cg("system.slice/docker-4f1c2a.scope"));
            assertThrowsKind(CgroupException.Kind.GONE, () -> reader.cpuset(tree.cgroup()));
        }
    }

    // =============================== CPU usage ===============================

    @Nested
    class CpuUsage {
        @Test
        void v1RealCpuacctUsage(@TempDir Path temp) {
            Tree tree = Tree.of("hybrid", "proc-self-cgroup", temp);
            assertEquals(OptionalLong.of(187350484474L), reader.cpuUsageNanos(tree.cgroup()));
        }

        @Test
        void v1Comounted(@TempDir Path temp) {
            Tree tree = Tree.of("v1-comounted", "proc-pid-cgroup", temp);
            assertEquals(OptionalLong.of(4200000000L), reader.cpuUsageNanos(tree.cgroup()));
        }

        @Test
        void v2UsageUsecTimes1000(@TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            assertEquals(OptionalLong.of(123456789000L), reader.cpuUsageNanos(tree.cgroup()));
        }

        @Test
        void missingFileIsEmpty(@TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            Fixtures.delete(tree.cg("system.slice/docker-4f1c2a.scope/cpu.stat"));
            assertEquals(OptionalLong.empty(), reader.cpuUsageNanos(tree.cgroup()));
        }

        @ParameterizedTest
        @ValueSource(strings = {"user_usec 5\n", "usage_usec -1\n", "usage_usec 9223372036854776\n", "usage_usec\tx\n"})
        void malformedV2(String text, @TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            tree.write("system.slice/docker-4f1c2a.scope/cpu.stat", text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> reader.cpuUsageNanos(tree.cgroup()));
        }

        @Test
        void largestV2UsageThatFits(@TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            tree.write("system.slice/docker-4f1c2a.scope/cpu.stat", "usage_usec 9223372036854775\n");
            assertEquals(OptionalLong.of(9223372036854775000L), reader.cpuUsageNanos(tree.cgroup()));
        }

        @Test
        void malformedV1(@TempDir Path temp) {
            Tree tree = Tree.of("hybrid", "proc-self-cgroup", temp);
            tree.write("cpuacct/cpuacct.usage", "18446744073709551616\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> reader.cpuUsageNanos(tree.cgroup()));
        }

        @Test
        void removedCgroupIsGone(@TempDir Path temp) {
            Tree tree = Tree.of("v1-comounted", "proc-pid-cgroup", temp);
            Fixtures.deleteTree(tree.cg("cpu,cpuacct/docker/abc"));
            assertThrowsKind(CgroupException.Kind.GONE, () -> reader.cpuUsageNanos(tree.cgroup()));
        }
    }

    // =============================== CPU quota ===============================

    @Nested
    class Quota {
        @Test
        void v1UnlimitedIsEmpty(@TempDir Path temp) {
            Tree tree = Tree.of("hybrid", "proc-self-cgroup", temp);
            assertEquals(Optional.empty(), reader.cpuQuota(tree.cgroup()), "real cpu.cfs_quota_us is -1");
        }

        @Test
        void v1SmallestAlongAncestors(@TempDir Path temp) {
            Tree tree = Tree.of("v1-comounted", "proc-pid-cgroup", temp);
            assertEquals(Optional.of(new CpuQuota(50000, 100000)), reader.cpuQuota(tree.cgroup()));

            tree.write("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n");
            assertEquals(Optional.of(new CpuQuota(400000, 100000)), reader.cpuQuota(tree.cgroup()));
            assertEquals(4.0, reader.cpuQuota(tree.cgroup()).orElseThrow().cpus());
        }

        @Test
        void v2(@TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            assertEquals(Optional.of(new CpuQuota(150000, 100000)), reader.cpuQuota(tree.cgroup()));

            tree.write("system.slice/cpu.max", "50000 100000\n");
            assertEquals(Optional.of(new CpuQuota(50000, 100000)), reader.cpuQuota(tree.cgroup()));

            tree.write("system.slice/cpu.max", "max 100000\n");
            tree.write("system.slice/docker-4f1c2a.scope/cpu.max", "max 100000\n");
            assertEquals(Optional.empty(), reader.cpuQuota(tree.cgroup()));
        }

        @ParameterizedTest
        @ValueSource(strings = {"150000", "abc 100000", "100 0", "0 100000", "max", "-1 100000"})
        void malformedV2(String text, @TempDir Path temp) {
            Tree tree = Tree.of("v2", "proc-pid-cgroup", temp);
            tree.write("system.slice/docker-4f1c2a.scope/cpu.max", text + "\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> reader.cpuQuota(tree.cgroup()));
        }

        @ParameterizedTest
        @ValueSource(strings = {"-2", "abc", "0", ""})
        void malformedV1(String text, @TempDir Path temp) {
            Tree tree = Tree.of("v1-comounted", "proc-pid-cgroup", temp);
            tree.write("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", text + "\n");
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> reader.cpuQuota(tree.cgroup()));
        }
    }

    @Test
    void aRemovedMemoryCgroupLeavesOtherHierarchiesReadable(@TempDir Path temp) {
        Tree tree = Tree.of("hybrid", "proc-self-cgroup", temp);
        Fixtures.deleteTree(tree.cg("memory/process_api"));
        assertThrowsKind(CgroupException.Kind.GONE, () -> reader.memory(tree.cgroup()));
        assertTrue(reader.cpuset(tree.cgroup()).isPresent(), "cpuset is another hierarchy, still there");
    }
}
