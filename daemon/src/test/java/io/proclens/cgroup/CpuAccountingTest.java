package io.proclens.cgroup;

import static io.proclens.cgroup.Fixtures.assertThrowsKind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuAccountingTest {
    private final CpuAccounting accounting = new CpuAccounting();

    @TempDir
    Path temp;

    /** The fixture {@code cgroup/stat/<name>} copied to a temp dir, as the cpuacct cgroup of the given version. */
    private Path fixture(String name) {
        return Fixtures.copy("stat/" + name, temp.resolve(name));
    }

    private static Cgroup cgroupAt(Path dir, Version version) {
        return Cgroup.of(Map.of(Controller.CPUACCT, new Location(version, dir, dir)));
    }

    private CpuTimes times(Path dir, Version version) {
        return accounting.times(cgroupAt(dir, version)).orElseThrow();
    }

    @Nested
    class V1UsageAll {
        @Test
        void realFilesOfThisMachine() {
            CpuTimes t = times(fixture("v1"), Version.V1);
            assertArrayEquals(new long[] {1071715015326L, 1073038180404L}, t.perCpuUserNanos());
            assertArrayEquals(new long[] {155716149523L, 199678204891L}, t.perCpuSystemNanos());
            assertEquals(2144753195730L, t.userNanos());
            assertEquals(355394354414L, t.systemNanos());
            assertTrue(t.hasPerCpu());
        }

        @Test
        void cpusMissingFromTheFileUsedNothing() {
            Path dir = fixture("v1");
            Fixtures.write(dir.resolve("cpuacct.usage_all"), "cpu user system\n3 30 31\n0 1 2\n");
            CpuTimes t = times(dir, Version.V1);
            assertArrayEquals(new long[] {1, 0, 0, 30}, t.perCpuUserNanos());
            assertArrayEquals(new long[] {2, 0, 0, 31}, t.perCpuSystemNanos());
            assertEquals(31, t.userNanos());
            assertEquals(0, t.perCpuUserNanos(17));
        }

        @Test
        void headerOnlyIsNoTimeAtAll() {
            Path dir = fixture("v1");
            Fixtures.write(dir.resolve("cpuacct.usage_all"), "cpu user system\n");
            assertEquals(new CpuTimes(0, 0, new long[0], new long[0]), times(dir, Version.V1));
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "",
            "cpu user\n0 1 2\n",
            "0 1 2\n",
            "cpu user system\n0 1\n",
            "cpu user system\n0 1 2 3\n",
            "cpu user system\n0 x 2\n",
            "cpu user system\n0 1 -2\n",
            "cpu user system\n-1 1 2\n",
            "cpu user system\n0 1 2\n0 3 4\n",
            "cpu user system\n8192 1 2\n",
            "cpu user system\n0 99999999999999999999 2\n",
            "cpu user system\n0 9223372036854775807 0\n1 1 0\n",
        })
        void malformed(String text) {
            Path dir = fixture("v1");
            Fixtures.write(dir.resolve("cpuacct.usage_all"), text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> accounting.times(cgroupAt(dir, Version.V1)));
        }
    }

    @Nested
    class V1PerCpuFallback {
        Path dir;

        Path withoutUsageAll() {
            dir = fixture("v1");
            Fixtures.delete(dir.resolve("cpuacct.usage_all"));
            return dir;
        }

        @Test
        void realFilesSplitByTheStatRatio() {
            // usage_percpu 1260115884033 1303112000979, cpuacct.stat user 219886 system 36436:
            // user = floor(total * 219886 / 256322), system the rest
            CpuTimes t = times(withoutUsageAll(), Version.V1);
            assertArrayEquals(new long[] {1080991258169L, 1117875505993L}, t.perCpuUserNanos());
            assertArrayEquals(new long[] {179124625864L, 185236494986L}, t.perCpuSystemNanos());
            assertEquals(1260115884033L + 1303112000979L, t.userNanos() + t.systemNanos());
        }

        @Test
        void withoutStatEverythingIsUser() {
            withoutUsageAll();
            Fixtures.delete(dir.resolve("cpuacct.stat"));
            CpuTimes t = times(dir, Version.V1);
            assertArrayEquals(new long[] {1260115884033L, 1303112000979L}, t.perCpuUserNanos());
            assertArrayEquals(new long[] {0, 0}, t.perCpuSystemNanos());
        }

        @Test
        void aStatOfZeroTicksCountsEverythingAsUser() {
            withoutUsageAll();
            Fixtures.write(dir.resolve("cpuacct.stat"), "user 0\nsystem 0\n");
            CpuTimes t = times(dir, Version.V1);
            assertEquals(1260115884033L + 1303112000979L, t.userNanos());
            assertEquals(0, t.systemNanos());
        }

        @Test
        void allSystemWhenUserIsZero() {
            withoutUsageAll();
            Fixtures.write(dir.resolve("cpuacct.stat"), "user 0\nsystem 5\n");
            CpuTimes t = times(dir, Version.V1);
            assertEquals(0, t.userNanos());
            assertArrayEquals(new long[] {1260115884033L, 1303112000979L}, t.perCpuSystemNanos());
        }

        @Test
        void hugeTotalsSplitWithoutOverflow() {
            withoutUsageAll();
            Fixtures.write(dir.resolve("cpuacct.usage_percpu"), "9223372036854775807 \n");
            Fixtures.write(dir.resolve("cpuacct.stat"), "user 9223372036854775807\nsystem 9223372036854775807\n");
            CpuTimes t = times(dir, Version.V1);
            assertEquals(4611686018427387903L, t.userNanos());
            assertEquals(4611686018427387904L, t.systemNanos());
        }

        @ParameterizedTest
        @ValueSource(strings = {"1 x", "1 -2", "99999999999999999999", "9223372036854775807 9223372036854775807"})
        void malformedPerCpu(String text) {
            withoutUsageAll();
            Fixtures.write(dir.resolve("cpuacct.usage_percpu"), text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> accounting.times(cgroupAt(dir, Version.V1)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"user 5\n", "system 5\n", "user x\nsystem 1\n", "", "nice 3\n"})
        void malformedStat(String text) {
            withoutUsageAll();
            Fixtures.write(dir.resolve("cpuacct.stat"), text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> accounting.times(cgroupAt(dir, Version.V1)));
        }

        @Test
        void neitherFileIsEmpty() {
            withoutUsageAll();
            Fixtures.delete(dir.resolve("cpuacct.usage_percpu"));
            assertEquals(Optional.empty(), accounting.times(cgroupAt(dir, Version.V1)));
        }
    }

    @Nested
    class V2 {
        @Test
        void cpuStatWithTheCpuController() {
            CpuTimes t = times(fixture("v2"), Version.V2);
            assertEquals(CpuTimes.ofTotals(150230100000L, 37120384000L), t);
            assertFalse(t.hasPerCpu());
            assertNull(t.perCpuUserNanos());
        }

        @Test
        void realCpuStatOfThisMachinesUnifiedHierarchy() {
            assertEquals(CpuTimes.ofTotals(2144777195000L, 355462354000L), times(fixture("v2-unified"), Version.V2));
        }

        @Test
        void noCpuStatIsEmpty() {
            Path dir = fixture("v2");
            Fixtures.delete(dir.resolve("cpu.stat"));
            assertEquals(Optional.empty(), accounting.times(cgroupAt(dir, Version.V2)));
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "usage_usec 10\nsystem_usec 4\n",
            "usage_usec 10\nuser_usec 6\n",
            "user_usec six\nsystem_usec 4\n",
            "user_usec 6\nsystem_usec -4\n",
            "user_usec 9223372036854776\nsystem_usec 4\n",
            "",
        })
        void malformed(String text) {
            Path dir = fixture("v2");
            Fixtures.write(dir.resolve("cpu.stat"), text);
            assertThrowsKind(CgroupException.Kind.MALFORMED, () -> accounting.times(cgroupAt(dir, Version.V2)));
        }

        @Test
        void largestMicrosecondsThatFitInNanoseconds() {
            Path dir = fixture("v2");
            Fixtures.write(dir.resolve("cpu.stat"), "user_usec 9223372036854775\nsystem_usec 0\n");
            assertEquals(9223372036854775000L, times(dir, Version.V2).userNanos());
        }
    }

    @Nested
    class Errors {
        @Test
        void noCpuacctLocationIsEmpty() {
            Path dir = fixture("v1");
            Cgroup onlyCpu = Cgroup.of(Map.of(Controller.CPU, new Location(Version.V1, dir, dir)));
            assertEquals(Optional.empty(), accounting.times(onlyCpu));
        }

        @Test
        void removedCgroupIsGone() {
            Path dir = fixture("v1");
            Fixtures.deleteTree(dir);
            assertThrowsKind(CgroupException.Kind.GONE, () -> accounting.times(cgroupAt(dir, Version.V1)));
            assertThrowsKind(CgroupException.Kind.GONE, () -> accounting.times(cgroupAt(dir, Version.V2)));
        }

        @Test
        void removedWhileReadingIsGone() {
            Path dir = fixture("v1");
            CpuAccounting removing = new CpuAccounting(file -> {
                Fixtures.deleteTree(dir);
                throw new CgroupException(CgroupException.Kind.IO_ERROR, "ENODEV");
            });
            assertThrowsKind(CgroupException.Kind.GONE, () -> removing.times(cgroupAt(dir, Version.V1)));
        }

        @Test
        void ioErrorOnALiveCgroupStaysAnIoError() {
            Path dir = fixture("v1");
            CpuAccounting failing = new CpuAccounting(file -> {
                throw new CgroupException(CgroupException.Kind.IO_ERROR, "EACCES");
            });
            assertThrowsKind(CgroupException.Kind.IO_ERROR, () -> failing.times(cgroupAt(dir, Version.V1)));
        }

        @Test
        void removedBetweenTheTwoV1FilesIsGone() {
            Path dir = fixture("v1");
            Fixtures.delete(dir.resolve("cpuacct.usage_all"));
            CpuAccounting removing = new CpuAccounting(file -> {
                String text = CgroupFiles.readOrNull(file);
                if (file.getFileName().toString().equals("cpuacct.usage_all")) Fixtures.deleteTree(dir);
                return text;
            });
            assertThrowsKind(CgroupException.Kind.GONE, () -> removing.times(cgroupAt(dir, Version.V1)));
        }
    }

    @Nested
    class Record {
        @Test
        void arraysAreCopiedInAndOut() {
            long[] user = {1, 2};
            long[] system = {3, 4};
            CpuTimes t = CpuTimes.ofPerCpu(user, system);
            user[0] = 100;
            t.perCpuSystemNanos()[1] = 100;
            assertEquals(1, t.perCpuUserNanos(0));
            assertEquals(4, t.perCpuSystemNanos(1));
            assertEquals(3, t.userNanos());
            assertEquals(7, t.systemNanos());
        }

        @Test
        void equalByContent() {
            assertEquals(CpuTimes.ofPerCpu(new long[] {1}, new long[] {2}), CpuTimes.ofPerCpu(new long[] {1}, new long[] {2}));
            assertEquals(CpuTimes.ofPerCpu(new long[] {1}, new long[] {2}).hashCode(),
                    CpuTimes.ofPerCpu(new long[] {1}, new long[] {2}).hashCode());
            assertNotEquals(CpuTimes.ofPerCpu(new long[] {1}, new long[] {2}), CpuTimes.ofPerCpu(new long[] {1}, new long[] {3}));
            assertNotEquals(CpuTimes.ofTotals(1, 2), CpuTimes.ofPerCpu(new long[] {1}, new long[] {2}));
        }

        @Test
        void rejectsWhatTheKernelCannotGive() {
            assertThrows(IllegalArgumentException.class, () -> CpuTimes.ofTotals(-1, 0));
            assertThrows(IllegalArgumentException.class, () -> CpuTimes.ofTotals(0, -1));
            assertThrows(IllegalArgumentException.class, () -> new CpuTimes(0, 0, new long[1], null));
            assertThrows(IllegalArgumentException.class, () -> new CpuTimes(0, 0, new long[1], new long[2]));
            assertThrows(IllegalArgumentException.class, () -> CpuTimes.ofPerCpu(new long[] {-1}, new long[] {0}));
            assertThrows(IllegalArgumentException.class,
                    () -> CpuTimes.ofPerCpu(new long[] {Long.MAX_VALUE, 1}, new long[] {0, 0}));
            assertThrows(IllegalStateException.class, () -> CpuTimes.ofTotals(1, 2).perCpuUserNanos(0));
        }
    }
}
