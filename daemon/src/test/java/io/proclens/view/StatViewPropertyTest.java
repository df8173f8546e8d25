package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cache.ConcurrentMonotonicCounters;
import io.proclens.cgroup.CpuSet;
import io.proclens.cgroup.CpuTimes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class StatViewPropertyTest {
    private static final String OTHER = """
            intr 5432109 12 0 0
            ctxt 98765432
            btime 1700000000
            processes 123456
            procs_running 3
            procs_blocked 1
            softirq 2345678 10 610204 33 120987 40211 0 7 801234 12 772990
            """;

    /** Every number the view prints: the tokens after each line's name. */
    private static List<String> numericTokens(String text) {
        List<String> tokens = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] t = line.strip().split("[ \t]+");
            for (int i = 1; i < t.length; i++) tokens.add(t[i]);
        }
        return tokens;
    }

    private static void assertNonNegativeLongs(String text) {
        for (String token : numericTokens(text)) {
            assertTrue(token.matches("[0-9]{1,19}"), () -> "not a plain non-negative number: '" + token + "' in\n" + text);
            assertDoesNotThrow(() -> Long.parseLong(token), () -> "wrapped past a long: " + token);
        }
    }

    // ---------------------------------------------------------------- generators

    /** A host /proc/stat with 1 to 24 CPUs, any counter values a long can hold, the kernel's other lines. */
    @Provide
    Arbitrary<String> hostStat() {
        Arbitrary<Long> field = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 10_000_000),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.of(0L, Long.MAX_VALUE, Long.MAX_VALUE - 1));
        Arbitrary<List<Long>> line = field.list().ofSize(10);
        return line.list().ofMinSize(1).ofMaxSize(24).map(lines -> {
            StringBuilder out = new StringBuilder("cpu  1 2 3 4 5 6 7 8 9 10\n");
            for (int cpu = 0; cpu < lines.size(); cpu++) {
                out.append("cpu").append(cpu);
                for (long v : lines.get(cpu)) out.append(' ').append(v);
                out.append('\n');
            }
            return out.append(OTHER).toString();
        });
    }

    /** Per-CPU times (v1) over up to 32 host CPUs, or totals only (v2), or null (no accounting). */
    @Provide
    Arbitrary<CpuTimes> times() {
        Arbitrary<Long> nanos = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 1_000_000_000_000L),
                Arbitraries.longs().between(0, Long.MAX_VALUE / 32));
        Arbitrary<CpuTimes> perCpu = Arbitraries.integers().between(0, 32).flatMap(n -> Combinators.combine(
                nanos.array(long[].class).ofSize(n), nanos.array(long[].class).ofSize(n))
                .as(CpuTimes::ofPerCpu));
        Arbitrary<CpuTimes> totals = Combinators.combine(
                Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as(CpuTimes::ofTotals);
        return Arbitraries.oneOf(perCpu, totals).injectNull(0.15);
    }

    private static CpuSet cpuset(Set<Integer> cpus) {
        return CpuSet.of(cpus.stream().mapToInt(Integer::intValue).toArray());
    }

    // ---------------------------------------------------------------- properties

    @Property
    void neverPrintsANegativeOrWrappedNumber(@ForAll("hostStat") String host, @ForAll("times") CpuTimes times,
                                             @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 40) Integer> cpus) {
        assertNonNegativeLongs(StatView.render(host, cpuset(cpus), times));
    }

    @Property
    void theCpuLineIsTheSaturatedSumOfTheCpuNLines(
            @ForAll("hostStat") String host, @ForAll("times") CpuTimes times,
            @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 40) Integer> cpus) {
        String[] lines = StatView.render(host, cpuset(cpus), times).split("\n");
        assertTrue(lines[0].startsWith("cpu  "), lines[0]);
        long[] sum = new long[10];
        int shown = 0;
        for (int i = 1; i < lines.length && lines[i].startsWith("cpu"); i++, shown++) {
            assertTrue(lines[i].startsWith("cpu" + shown + " "), "renumbered from 0: " + lines[i]);
            String[] t = lines[i].split(" ");
            for (int f = 0; f < 10; f++) sum[f] = StatView.saturatedAdd(sum[f], Long.parseLong(t[f + 1]));
        }
        String[] total = lines[0].substring(5).split(" ");
        for (int f = 0; f < 10; f++) assertEquals(sum[f], Long.parseLong(total[f]), "field " + f);
        long hostCpus = host.lines().filter(l -> l.matches("cpu[0-9]+ .*")).count();
        assertEquals(cpus.stream().filter(c -> c < hostCpus).count(), shown);
    }

    @Property
    void withAccountingEachShownLineAddsUpToItsHostTimeUnlessClamped(
            @ForAll("hostStat") String host, @ForAll("times") CpuTimes times,
            @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 40) Integer> cpus) {
        if (times == null) return;
        StatView.HostStat parsed = StatView.parse(host);
        String[] lines = StatView.render(host, cpuset(cpus), times).split("\n");
        int i = 1;
        for (int cpu : cpuset(cpus).toArray()) {
            if (!parsed.cpus().containsKey(cpu)) continue;
            String[] t = lines[i++].split(" ");
            long user = Long.parseLong(t[1]);
            long system = Long.parseLong(t[3]);
            long idle = Long.parseLong(t[4]);
            long hostTotal = StatView.hostTotal(parsed.cpus().get(cpu));
            if (idle > 0) assertEquals(hostTotal, user + system + idle, "cpu" + cpu);
            else assertTrue(user + system >= hostTotal, "idle clamped although the time fits: cpu" + cpu);
            for (int f : new int[] {2, 5, 6, 7, 8, 9, 10}) assertEquals("0", t[f], "LXCFS's zero fields");
        }
    }

    @Property
    void aV2SpreadAddsUpExactlyAndGivesNoCpuMoreThanItsWeight(
            @ForAll @net.jqwik.api.constraints.LongRange(min = 0, max = Long.MAX_VALUE) long amount,
            @ForAll @Size(max = 40) List<@net.jqwik.api.constraints.LongRange(min = 0, max = Long.MAX_VALUE) Long> w) {
        long[] weights = w.stream().mapToLong(Long::longValue).toArray();
        long[] shares = StatView.spread(amount, weights);
        if (weights.length == 0) return;
        java.math.BigInteger total = java.math.BigInteger.ZERO;
        java.math.BigInteger weightSum = java.math.BigInteger.ZERO;
        for (int i = 0; i < shares.length; i++) {
            assertTrue(shares[i] >= 0);
            total = total.add(java.math.BigInteger.valueOf(shares[i]));
            weightSum = weightSum.add(java.math.BigInteger.valueOf(weights[i]));
        }
        assertEquals(java.math.BigInteger.valueOf(amount), total, "shares add up to the amount");
        if (weightSum.compareTo(java.math.BigInteger.valueOf(amount)) >= 0) {
            for (int i = 0; i < shares.length; i++) assertTrue(shares[i] <= weights[i], "share above weight at " + i);
        }
    }

    @Property
    void anyTextAsHostNeverThrowsAndItsCpuLinesStayNonNegative(
            @ForAll @Size(max = 12) List<@net.jqwik.api.constraints.StringLength(max = 60)
                    @net.jqwik.api.constraints.Chars({'c', 'p', 'u', '0', '1', '9', ' ', '\t', '-', 'x', '.'})
                    String> lines,
            @ForAll("times") CpuTimes times, @ForAll @Size(max = 12) Set<@IntRange(min = 0, max = 12) Integer> cpus) {
        String text = StatView.render(String.join("\n", lines), cpuset(cpus), times);
        String cpuLines = String.join("\n", text.lines().takeWhile(l -> l.matches("cpu[0-9]* .*")).toList());
        assertNonNegativeLongs(cpuLines);
    }

    @Property
    void throughTheCountersNoNumberEverGoesDown(
            @ForAll("hostStat") String host, @ForAll("times") CpuTimes before, @ForAll("times") CpuTimes after,
            @ForAll @Size(max = 30) Set<@IntRange(min = 0, max = 30) Integer> cpus1,
            @ForAll @Size(max = 30) Set<@IntRange(min = 0, max = 30) Integer> cpus2) {
        // two reads with any accounting, even one that went backwards or vanished, and a changed cpuset
        ConcurrentMonotonicCounters counters = new ConcurrentMonotonicCounters(10_000);
        StatView.Floor floor = (line, field, value) -> counters.advance("k", line * StatView.FIELD_COUNT + field, value);
        String[] first = StatView.render(host, cpuset(cpus1), before, floor).split("\n");
        String[] second = StatView.render(host, cpuset(cpus2), after, floor).split("\n");
        for (int i = 0; i < Math.min(first.length, second.length); i++) {
            if (!first[i].startsWith("cpu") || !second[i].startsWith("cpu")) break;
            String[] a = first[i].split(" +");
            String[] b = second[i].split(" +");
            assertEquals(a[0], b[0]);
            for (int f = 1; f <= 10; f++) {
                assertTrue(Long.parseLong(b[f]) >= Long.parseLong(a[f]),
                        () -> "went down: " + String.join(" ", a) + " -> " + String.join(" ", b));
            }
        }
    }
}
