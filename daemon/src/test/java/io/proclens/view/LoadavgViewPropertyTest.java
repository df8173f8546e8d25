package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cgroup.TaskCounts;
import io.proclens.load.Loadavg;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.Tuple;

/** Whatever the tasks, the line is well-formed: no negative, wrapped or out-of-range number. */
class LoadavgViewPropertyTest {
    private static final Pattern LINE = Pattern.compile(
            "(\\d+)\\.(\\d\\d) (\\d+)\\.(\\d\\d) (\\d+)\\.(\\d\\d) (\\d+)/(\\d+) (\\d+)\n");

    @Provide
    Arbitrary<TaskCounts> counts() {
        Arbitrary<TaskCounts> any = Arbitraries.integers().between(0, Integer.MAX_VALUE).flatMap(total ->
                Arbitraries.integers().between(0, total).flatMap(active ->
                        Combinators.combine(Arbitraries.integers().between(0, active),
                                        Arbitraries.integers().between(0, Integer.MAX_VALUE))
                                .as((running, lastPid) -> new TaskCounts(running, active - running, total, lastPid))));
        Arbitrary<TaskCounts> few = Arbitraries.integers().between(0, 50).flatMap(total ->
                Arbitraries.integers().between(0, total).map(active -> new TaskCounts(active, 0, total, total * 7)));
        TaskCounts most = new TaskCounts(Integer.MAX_VALUE, 0, Integer.MAX_VALUE, Integer.MAX_VALUE);
        return Arbitraries.frequencyOf(Tuple.of(10, any), Tuple.of(10, few), Tuple.of(1, Arbitraries.just(most)),
                Tuple.of(2, Arbitraries.just(TaskCounts.NONE)));
    }

    @Property
    void anySequenceOfSamplesPrintsAWellFormedLine(@ForAll @Size(max = 300) List<@From("counts") TaskCounts> samples) {
        Loadavg load = Loadavg.INITIAL;
        int most = 0;
        for (TaskCounts counts : samples) {
            load = load.next(counts);
            most = Math.max(most, counts.active());
        }
        TaskCounts last = samples.isEmpty() ? TaskCounts.NONE : samples.getLast();
        Matcher line = LINE.matcher(LoadavgView.render(load, last));

        assertTrue(line.matches(), "not a loadavg line: " + LoadavgView.render(load, last));
        for (int i = 0; i < 3; i++) {
            BigDecimal printed = new BigDecimal(line.group(1 + 2 * i) + "." + line.group(2 + 2 * i));
            // an average never exceeds the most tasks it was fed (+0.005 of the printing's rounding)
            assertTrue(printed.compareTo(BigDecimal.valueOf(most).add(new BigDecimal("0.005"))) <= 0,
                    printed + " above " + most);
        }
        assertEquals(Integer.toString(last.running()), line.group(7));
        assertEquals(Integer.toString(last.total()), line.group(8));
        assertEquals(Integer.toString(last.lastPid()), line.group(9));
    }

    @Property
    void printedAverageIsTheFixedPointValueRoundedToHundredths(@ForAll @LongRange(min = 0, max = 4398046509056L) long x) {
        String printed = LoadavgView.average(new StringBuilder(), x).toString();
        // the exact value x / 2048, rounded half up at the third decimal, can differ from the kernel's integer
        // arithmetic by at most one hundredth; never more, never negative
        BigDecimal exact = BigDecimal.valueOf(x).divide(BigDecimal.valueOf(2048));
        BigDecimal ours = new BigDecimal(printed);
        assertTrue(ours.signum() >= 0);
        assertTrue(ours.subtract(exact.setScale(2, RoundingMode.HALF_UP)).abs().compareTo(new BigDecimal("0.01")) <= 0,
                x + " printed " + printed);
    }

    @Property
    void fractionIsAlwaysTwoDigits(@ForAll @IntRange(min = 0, max = 1 << 20) int x) {
        String printed = LoadavgView.average(new StringBuilder(), x).toString();
        assertTrue(printed.matches("\\d+\\.\\d\\d"), printed);
    }
}
