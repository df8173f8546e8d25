package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cache.ConcurrentMonotonicCounters;
import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.CpuAccounting;
import io.proclens.cgroup.CpuSet;
import io.proclens.cgroup.CpuTimes;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatViewTest {
    private static final long TICK = 10_000_000L;

    /** The host's lines after the cpu lines, verbatim. */
    private static String otherLines(String host) {
        StringBuilder out = new StringBuilder();
        for (String line : host.split("\n")) {
            if (!line.startsWith("cpu")) out.append(line).append('\n');
        }
        return out.toString();
    }

    private static final String HOST4 = Fixtures.read("stat/host-4cpu.txt");
    private static final String OTHER4 = otherLines(HOST4);

    /** Per-CPU times in ticks, by host CPU: {cpu, userTicks, systemTicks}... */
    private static CpuTimes perCpuTicks(int length, long[]... cpus) {
        long[] user = new long[length];
        long[] system = new long[length];
        for (long[] c : cpus) {
            user[(int) c[0]] = c[1] * TICK;
            system[(int) c[0]] = c[2] * TICK;
        }
        return CpuTimes.ofPerCpu(user, system);
    }

    @Nested
    class Fixtures2Cpu {
        @Test
        void realHostStatAndRealCgroupFilesOfThisMachine() throws URISyntaxException {
            // the root cpuacct cgroup, read through the real reader from the cgroup fixture of the same moment
            Path dir = Path.of(StatViewTest.class.getResource("/cgroup/stat/v1").toURI());
            Cgroup root = Cgroup.of(Map.of(Cgroup.Controller.CPUACCT,
                    new Cgroup.Location(Cgroup.Version.V1, dir, dir)));
            CpuTimes times = new CpuAccounting().times(root).orElseThrow();
            String host = Fixtures.read("stat/host-2cpu.txt");

            String text = StatView.render(host, CpuSet.parse("0-1"), times);

            // cpu0: cgroup user 1071715015326 ns = 107171 ticks, system 155716149523 ns = 15571 ticks;
            // host total 107171+0+15543+92648+152+0+27+68 = 215609; idle 215609-107171-15571 = 92867
            assertEquals("""
                    cpu  214474 0 35538 181411 0 0 0 0 0 0
                    cpu0 107171 0 15571 92867 0 0 0 0 0 0
                    cpu1 107303 0 19967 88544 0 0 0 0 0 0
                    """ + otherLines(host), text);
        }

        @Test
        void theOtherLinesAreTheHostsInItsOrder() {
            String host = Fixtures.read("stat/host-2cpu.txt");
            String text = StatView.render(host, CpuSet.of(1), null);
            List<String> lines = List.of(text.split("\n"));
            assertEquals(List.of("intr", "ctxt", "btime", "processes", "procs_running", "procs_blocked", "softirq"),
                    lines.subList(2, lines.size()).stream().map(l -> l.split(" ")[0]).toList());
            assertTrue(text.endsWith(otherLines(host)));
        }
    }

    @Nested
    class Fixtures4Cpu {
        @Test
        void cpusetWithHolesIsRenumberedFromZero() {
            CpuTimes times = CpuTimes.ofPerCpu(
                    new long[] {1200 * TICK + 999, 77 * TICK, 3000 * TICK, 5000 * TICK + 5_000_000},
                    new long[] {300 * TICK, 88 * TICK, 1000 * TICK + 1, 1500 * TICK});
            // host cpu1 (used 77+88 ticks) is not shown; partial ticks are dropped
            assertEquals("""
                    cpu  9200 0 2800 55504 0 0 0 0 0 0
                    cpu0 1200 0 300 21277 0 0 0 0 0 0
                    cpu1 3000 0 1000 18363 0 0 0 0 0 0
                    cpu2 5000 0 1500 15864 0 0 0 0 0 0
                    """ + OTHER4, StatView.render(HOST4, CpuSet.parse("0,2-3"), times));
        }

        @Test
        void guestTimeIsNotCountedTwiceInTheIdle() {
            // host cpu2: 3950 0 ... guest 300, guest_nice 40, already inside user 3950 and nice 90:
            // total 3950+90+1410+16800+95+0+18+0 = 22363 (LXCFS adds guest again: 22703)
            String text = StatView.render(HOST4, CpuSet.of(2), perCpuTicks(4, new long[] {2, 1000, 500}));
            assertTrue(text.contains("\ncpu0 1000 0 500 20863 0 0 0 0 0 0\n"), text);
        }

        @Test
        void v2TotalsAreSpreadByEachCpusHostBusyTime() {
            // busy (user+nice+system+irq+softirq): cpu0 6007, cpu2 5468, cpu3 8297 of 19772;
            // 9000 user ticks -> 2734.3, 2488.97, 3776.7 -> 2734, 2489, 3777 (2 left to the largest remainders)
            CpuTimes times = CpuTimes.ofTotals(9000 * TICK + 9_999_999, 2000 * TICK);
            assertEquals("""
                    cpu  9000 0 2000 56504 0 0 0 0 0 0
                    cpu0 2734 0 608 19435 0 0 0 0 0 0
                    cpu1 2489 0 553 19321 0 0 0 0 0 0
                    cpu2 3777 0 839 17748 0 0 0 0 0 0
                    """ + OTHER4, StatView.render(HOST4, CpuSet.parse("0,2-3"), times));
        }

        @Test
        void withoutAccountingTheHostLinesAreShownRenumbered() {
            assertEquals("""
                    cpu  14755 240 4580 47070 659 7 190 3 300 40
                    cpu0 4705 150 1120 16250 520 0 32 0 0 0
                    cpu1 3950 90 1410 16800 95 0 18 0 300 40
                    cpu2 6100 0 2050 14020 44 7 140 3 0 0
                    """ + OTHER4, StatView.render(HOST4, CpuSet.parse("0,2-3"), null));
        }

        @Test
        void allCpusWithoutAccountingGiveTheHostsOwnAggregate() {
            String text = StatView.render(HOST4, CpuSet.parse("0-3"), null);
            assertEquals(HOST4, text); // the fixture's cpu line is the sum of its cpuN lines
        }

        @Test
        void usageAboveTheHostsTotalsClampsIdleAtZero() {
            // host cpu3 total 22364 ticks; the cgroup claims 20000 + 5000 there
            String text = StatView.render(HOST4, CpuSet.of(0, 3),
                    perCpuTicks(4, new long[] {0, 100, 100}, new long[] {3, 20000, 5000}));
            assertTrue(text.startsWith("""
                    cpu  20100 0 5100 22577 0 0 0 0 0 0
                    cpu0 100 0 100 22577 0 0 0 0 0 0
                    cpu1 20000 0 5000 0 0 0 0 0 0 0
                    """), text);
        }

        @Test
        void cpusTheHostHasNoLineForAreLeftOut() {
            String text = StatView.render(HOST4, CpuSet.of(1, 7, 12), null);
            assertTrue(text.startsWith("""
                    cpu  5200 0 980 15900 310 0 61 12 0 0
                    cpu0 5200 0 980 15900 310 0 61 12 0 0
                    intr"""), text);
        }

        @Test
        void anEmptyCpusetShowsZerosAndTheOtherLines() {
            assertEquals("cpu  0 0 0 0 0 0 0 0 0 0\n" + OTHER4,
                    StatView.render(HOST4, CpuSet.of(), CpuTimes.ofTotals(5 * TICK, 5 * TICK)));
        }

        @Test
        void v2SpreadsEvenlyOverIdleCpus() {
            String host = "cpu  0 0 0 30 0 0 0 0 0 0\ncpu0 0 0 0 10 0 0 0 0 0 0\ncpu1 0 0 0 10 0 0 0 0 0 0\n"
                    + "cpu2 0 0 0 10 0 0 0 0 0 0\n";
            assertEquals("""
                    cpu  5 0 0 25 0 0 0 0 0 0
                    cpu0 2 0 0 8 0 0 0 0 0 0
                    cpu1 2 0 0 8 0 0 0 0 0 0
                    cpu2 1 0 0 9 0 0 0 0 0 0
                    """, StatView.render(host, CpuSet.parse("0-2"), CpuTimes.ofTotals(5 * TICK, 0)));
        }
    }

    @Nested
    class MalformedHost {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            // host cpu0 line | shown cpu0 line (times null)
            "cpu0 1 2 x 4 5 6 7 8 9 10                       | cpu0 1 2 0 4 5 6 7 8 9 10",
            "cpu0 1 2 -3 4 5 6 7 8 9 10                      | cpu0 1 2 0 4 5 6 7 8 9 10",
            "cpu0 1 2 3 4                                    | cpu0 1 2 3 4 0 0 0 0 0 0",
            "cpu0                                            | cpu0 0 0 0 0 0 0 0 0 0 0",
            "cpu0 1 2 3 4 5 6 7 8 9 10 11 12                 | cpu0 1 2 3 4 5 6 7 8 9 10",
            "cpu0 99999999999999999999 2 3 4 5 6 7 8 9 10    | cpu0 0 2 3 4 5 6 7 8 9 10",
            "cpu0 18446744073709551615 2 3 4 5 6 7 8 9 10    | cpu0 0 2 3 4 5 6 7 8 9 10",
            "cpu0 9223372036854775807 2 3 4 5 6 7 8 9 10     | cpu0 9223372036854775807 2 3 4 5 6 7 8 9 10",
            "cpu0\t1  2\t3 4 5 6 7 8 9 10\r                  | cpu0 1 2 3 4 5 6 7 8 9 10",
            "cpu0 1.5 2 3 4 5 6 7 8 9 10                     | cpu0 0 2 3 4 5 6 7 8 9 10",
        })
        void aBadFieldCountsAsZero(String hostLine, String shown) {
            String text = StatView.render(hostLine.strip() + "\nctxt 5\n", CpuSet.of(0), null);
            assertEquals(shown.replace("cpu0", "cpu ") + "\n" + shown + "\nctxt 5\n", text);
        }

        @Test
        void cpuLinesWithoutANumberAreLeftOut() {
            String host = "cpu  1 1 1 1 1 1 1 1 1 1\ncpuX 5 5 5 5 5 5 5 5 5 5\ncpu-1 5 5 5 5 5 5 5 5 5 5\n"
                    + "cpu99999 5 5 5 5 5 5 5 5 5 5\ncpu1 1 2 3 4 5 6 7 8 9 10\ncpu1 7 7 7 7 7 7 7 7 7 7\nctxt 5\n";
            assertEquals("""
                    cpu  1 2 3 4 5 6 7 8 9 10
                    cpu0 1 2 3 4 5 6 7 8 9 10
                    ctxt 5
                    """, StatView.render(host, CpuSet.parse("0-8191"), null));
            assertEquals(4, StatView.parse(host).malformedLines());
        }

        @Test
        void emptyOrTruncatedTextStillGivesAStat() {
            assertEquals("cpu  0 0 0 0 0 0 0 0 0 0\n", StatView.render("", CpuSet.of(0), CpuTimes.ofTotals(0, 0)));
            assertEquals("cpu  0 0 0 0 0 0 0 0 0 0\n", StatView.render("\n\n", CpuSet.of(0), null));
            assertEquals("cpu  3 0 0 7 0 0 0 0 0 0\ncpu0 3 0 0 7 0 0 0 0 0 0\n",
                    StatView.render("cpu  1\ncpu0 1 0 0 9", CpuSet.of(0), CpuTimes.ofTotals(3 * TICK, 0)));
        }

        @Test
        void crlfLineEndsAreRead() {
            String text = StatView.render("cpu0 1 2 3 4 5 6 7 8 9 10\r\nctxt 5\r\n", CpuSet.of(0), null);
            assertEquals("cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\nctxt 5\r\n", text);
        }

        @Test
        void hugeHostNumbersSaturateInsteadOfWrapping() {
            String big = "9223372036854775807";
            String host = "cpu0 " + big + " 0 0 " + big + " 0 0 0 0 0 0\ncpu1 " + big + " 0 0 1 0 0 0 0 0 0\n";
            assertEquals("cpu  " + big + " 0 0 " + big + " 0 0 0 0 0 0\ncpu0 " + big + " 0 0 " + big
                    + " 0 0 0 0 0 0\ncpu1 " + big + " 0 0 1 0 0 0 0 0 0\n",
                    StatView.render(host, CpuSet.of(0, 1), null));
            // with accounting: total saturates, idle = MAX - used
            String text = StatView.render(host, CpuSet.of(0, 1), perCpuTicks(2, new long[] {0, 5, 5}));
            assertTrue(text.startsWith("cpu  5 0 5 " + big + " 0 0 0 0 0 0\ncpu0 5 0 5 9223372036854775797 "), text);
        }
    }

    @Nested
    class Monotonic {
        /** The ten numbers of each cpu line, in order. */
        private long[][] numbers(String text) {
            return Arrays.stream(text.split("\n")).filter(l -> l.startsWith("cpu"))
                    .map(l -> Arrays.stream(l.substring(l.indexOf(' ')).strip().split(" +"))
                            .mapToLong(Long::parseLong).toArray())
                    .toArray(long[][]::new);
        }

        /** A floor on row {@code key} of the counters, as the daemon keeps one per cgroup. */
        private StatView.Floor rowOf(ConcurrentMonotonicCounters counters, String key) {
            return (line, field, value) -> counters.advance(key, line * StatView.FIELD_COUNT + field, value);
        }

        @Test
        void idleThatWouldStepBackHoldsThroughTheCounters() {
            ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1000);
            StatView.Floor floor = rowOf(counters, "cgroup-a");
            String host1 = "cpu0 100 0 50 850 0 0 0 0 0 0\n";
            String host2 = "cpu0 101 0 50 851 0 0 0 0 0 0\n"; // 2 ticks later on the host
            CpuTimes times1 = perCpuTicks(1, new long[] {0, 80, 20});
            CpuTimes times2 = perCpuTicks(1, new long[] {0, 84, 20}); // the cgroup's clock ran 4 ticks ahead

            String first = StatView.render(host1, CpuSet.of(0), times1, floor);
            assertEquals("cpu  80 0 20 900 0 0 0 0 0 0\ncpu0 80 0 20 900 0 0 0 0 0 0\n", first);
            // without the floor idle steps back from 900 to 898: the test's input really goes backwards
            assertEquals("cpu  84 0 20 898 0 0 0 0 0 0\ncpu0 84 0 20 898 0 0 0 0 0 0\n",
                    StatView.render(host2, CpuSet.of(0), times2));
            String second = StatView.render(host2, CpuSet.of(0), times2, floor);
            assertEquals("cpu  84 0 20 900 0 0 0 0 0 0\ncpu0 84 0 20 900 0 0 0 0 0 0\n", second);
            assertEquals(900, counters.getAcquire("cgroup-a", 1 * StatView.FIELD_COUNT + StatView.IDLE), "cpu0 idle");
            assertEquals(900, counters.getAcquire("cgroup-a", StatView.IDLE), "cpu idle");
        }

        @Test
        void userThatWouldStepBackHoldsToo() {
            // v2: the cgroup's total is spread by host busy time, so one CPU's share can shrink between reads
            ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1000);
            StatView.Floor floor = rowOf(counters, "k");
            String host1 = "cpu0 90 0 0 10 0 0 0 0 0 0\ncpu1 10 0 0 90 0 0 0 0 0 0\n";
            String host2 = "cpu0 90 0 0 20 0 0 0 0 0 0\ncpu1 100 0 0 90 0 0 0 0 0 0\n";
            long[][] raw1 = numbers(StatView.render(host1, CpuSet.of(0, 1), CpuTimes.ofTotals(50 * TICK, 0)));
            long[][] raw2 = numbers(StatView.render(host2, CpuSet.of(0, 1), CpuTimes.ofTotals(60 * TICK, 0)));
            assertTrue(raw2[1][0] < raw1[1][0], "cpu0 user must really shrink: " + raw1[1][0] + " -> " + raw2[1][0]);

            long[][] first = numbers(StatView.render(host1, CpuSet.of(0, 1), CpuTimes.ofTotals(50 * TICK, 0), floor));
            long[][] second = numbers(StatView.render(host2, CpuSet.of(0, 1), CpuTimes.ofTotals(60 * TICK, 0), floor));
            for (int line = 0; line < first.length; line++) {
                for (int f = 0; f < 10; f++) {
                    assertTrue(second[line][f] >= first[line][f], "line " + line + " field " + f);
                }
            }
            // the cpu line stays the sum of the shown lines
            for (int f = 0; f < 10; f++) assertEquals(second[1][f] + second[2][f], second[0][f]);
        }

        @Test
        void aShrinkingCpusetKeepsTheAggregateFromGoingDown() {
            ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(1000);
            long[][] first = numbers(StatView.render(HOST4, CpuSet.parse("0-3"), null, rowOf(counters, "k")));
            long[][] second = numbers(StatView.render(HOST4, CpuSet.parse("0-1"), null, rowOf(counters, "k")));
            assertArrayEquals(first[0], second[0]);
            assertArrayEquals(first[1], second[1]);
            assertArrayEquals(first[2], second[2]);
            assertEquals(3, second.length);
        }

        @Test
        void theFloorIsAskedForEachFieldOfTheCpuNLinesThenOfTheCpuLineAsTheirSum() {
            List<String> asked = new java.util.ArrayList<>();
            StatView.Floor recording = (line, field, value) -> {
                asked.add(line + "." + field + "=" + value);
                return value + (line == 2 ? 1 : 0); // cpu1's floor is one above: the cpu line sums what came back
            };
            StatView.render("cpu0 1 2 3 4 5 6 7 8 9 10\ncpu1 10 20 30 40 50 60 70 80 90 100\n",
                    CpuSet.of(0, 1), null, recording);
            List<String> expected = new java.util.ArrayList<>();
            for (int f = 0; f < 10; f++) expected.add("1." + f + "=" + (f + 1));
            for (int f = 0; f < 10; f++) expected.add("2." + f + "=" + 10 * (f + 1));
            for (int f = 0; f < 10; f++) expected.add("0." + f + "=" + (11 * (f + 1) + 1));
            assertEquals(expected, asked);
        }

        @Test
        void noFloorMeansEachReadOnItsOwn() {
            assertEquals(StatView.render(HOST4, CpuSet.parse("1-2"), null),
                    StatView.render(HOST4, CpuSet.parse("1-2"), null, StatView.NO_FLOOR));
        }
    }
}
