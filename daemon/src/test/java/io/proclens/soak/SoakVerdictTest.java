package io.proclens.soak;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakVerdictTest {
    private static final String COLUMNS = "phase t rss_h rss_w fds_h fds_w thr_h thr_w heap meta handles cache callers"
            + " floors loadavg fallbacks reads errors wrong cgroups ns";

    /** A steady run: 3 warm-up rows and 9 measured ones, 10 s apart; edit lets a test change row i. */
    private static List<String> run(BiConsumer<Integer, Map<String, Long>> edit) {
        List<String> lines = new ArrayList<>();
        lines.add("# files=12 cpus=2 interval=10");
        lines.add(COLUMNS.replace(' ', '\t'));
        for (int i = 0; i < 12; i++) {
            Map<String, Long> row = new LinkedHashMap<>();
            long[] values = {10L * (i + 1), 20_000, 90_000, 12, 30, 3, 25, 6_000, 30_000, 0, 60, 900, 64, 4, 0,
                    50_000, 0, 0, 20, 15};
            String[] names = COLUMNS.substring("phase ".length()).split(" ");
            for (int c = 0; c < names.length; c++) row.put(names[c], values[c]);
            edit.accept(i, row);
            StringBuilder line = new StringBuilder(i < 3 ? "w" : "m");
            row.values().forEach(v -> line.append('\t').append(v));
            lines.add(line.toString());
        }
        return lines;
    }

    private static List<SoakVerdict.Check> failures(List<String> lines) {
        return SoakVerdict.judge(SoakVerdict.parse(lines)).stream().filter(c -> !c.passed()).toList();
    }

    @Test
    void aSteadyRunPassesEveryCheck() {
        List<SoakVerdict.Check> checks = SoakVerdict.judge(SoakVerdict.parse(run((i, row) -> { })));
        assertTrue(SoakVerdict.passed(checks), checks.toString());
        assertEquals(15, checks.size());
    }

    @Test
    void theWarmUpMayGrowAndWobble() {
        assertEquals(List.of(), failures(run((i, row) -> {
            if (i < 3) row.put("rss_w", 40_000L + i * 20_000); // grows to its size while warming up
            if (i < 3) row.put("fds_w", 30L + i);
            if (i >= 3) row.put("rss_w", 90_000L + (i % 2) * 6_000); // 6 MiB of wobble, under 9 MiB
        })));
    }

    @Test
    void workerMemoryThatKeepsGrowingFails() {
        List<SoakVerdict.Check> failed = failures(run((i, row) -> row.put("rss_w", 90_000L + i * 3_000)));
        assertEquals(1, failed.size(), failed.toString());
        assertEquals("RSS worker", failed.get(0).label());
    }

    @Test
    void theHolderHasTheTighterTolerance() {
        // 3 MiB more in the holder fails; the same in the worker (8 MiB tolerance) does not
        assertEquals("RSS holder", failures(run((i, row) -> row.put("rss_h", i < 9 ? 20_000L : 29_000L)))
                .get(0).label());
        assertEquals(List.of(), failures(run((i, row) -> row.put("rss_w", i < 9 ? 90_000L : 98_000L))));
    }

    @Test
    void aDescriptorLeakOrAnOpenHandleFails() {
        List<SoakVerdict.Check> failed = failures(run((i, row) -> {
            if (i == 10) row.put("fds_w", 31L);
            if (i == 11) row.put("handles", 1L);
        }));
        assertEquals(List.of("descriptors worker", "open handles"),
                failed.stream().map(SoakVerdict.Check::label).toList());
        assertTrue(failed.get(0).detail().contains("from t=110 s"), failed.get(0).detail());
    }

    @Test
    void cacheEntriesAreBoundedByTheCgroupsMadeLately() {
        // 12 files x (4 fixed + 20 cgroups per round over the 75 s window) + 15 namespaces a round: about 1 000
        assertEquals(List.of(), failures(run((i, row) -> row.put("cache", 1_000L))));
        List<SoakVerdict.Check> failed = failures(run((i, row) -> row.put("cache", 5_000L)));
        assertEquals("snapshot cache entries", failed.get(0).label());
        // a burst of churn explains many entries while it is recent, not two minutes later
        List<SoakVerdict.Check> stale = failures(run((i, row) -> {
            row.put("cgroups", i == 3 ? 300L : 0L);
            row.put("ns", 0L);
            row.put("cache", i < 6 ? 3_000L : (i < 11 ? 40L : 3_000L));
        }));
        assertEquals(1, stale.size(), stale.toString());
        assertTrue(stale.get(0).detail().contains("first t=120 s"), stale.get(0).detail());
    }

    @Test
    void readErrorsAndWrongAnswersFailInAnyPhase() {
        List<SoakVerdict.Check> failed = failures(run((i, row) -> {
            if (i == 0) row.put("wrong", 1L);
        }));
        assertEquals("reads", failed.get(0).label());
        assertTrue(failed.get(0).detail().contains("1 wrong"), failed.get(0).detail());
    }

    @Test
    void hostFallbacksAndTooManyCallerResolutionsFail() {
        List<SoakVerdict.Check> failed = failures(run((i, row) -> {
            if (i == 5) row.put("fallbacks", 2L);
            if (i == 7) row.put("callers", 6_000L);
        }));
        assertEquals(List.of("host fallbacks", "caller resolutions"),
                failed.stream().map(SoakVerdict.Check::label).toList());
    }

    @Test
    void tooShortARunCannotPass() {
        List<String> lines = run((i, row) -> { }).subList(0, 2 + 5); // 3 warm-up rows and 2 measured
        List<SoakVerdict.Check> checks = SoakVerdict.judge(SoakVerdict.parse(lines));
        assertFalse(SoakVerdict.passed(checks));
        assertTrue(checks.get(checks.size() - 1).detail().contains("only 2"));
    }

    @Test
    void statFloorRowsArePowersOfTwoOfTheStatFields() {
        assertEquals(32, SoakVerdict.statFloorRow(2)); // 30 fields
        assertEquals(16, SoakVerdict.statFloorRow(0));
        assertEquals(128, SoakVerdict.statFloorRow(8)); // 90 fields
    }

    @Test
    void malformedSamplesAreClearErrors() {
        List<String> good = run((i, row) -> { });
        assertThrows(IllegalArgumentException.class, () -> SoakVerdict.parse(List.of()));
        assertThrows(IllegalArgumentException.class, () -> SoakVerdict.parse(good.subList(1, good.size())));
        List<String> noInterval = new ArrayList<>(good);
        noInterval.set(0, "# files=12 cpus=2");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoakVerdict.parse(noInterval)).getMessage()
                .contains("interval"));
        List<String> shortRow = new ArrayList<>(good);
        shortRow.set(5, "m\t1\t2");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoakVerdict.parse(shortRow)).getMessage()
                .contains("row 6"));
        List<String> empty = new ArrayList<>(good);
        empty.set(4, good.get(4).replaceFirst("\t20000\t", "\t\t"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoakVerdict.parse(empty)).getMessage()
                .contains("rss_h"));
        List<String> phase = new ArrayList<>(good);
        phase.set(4, "x" + good.get(4).substring(1));
        assertThrows(IllegalArgumentException.class, () -> SoakVerdict.parse(phase));
    }
}
