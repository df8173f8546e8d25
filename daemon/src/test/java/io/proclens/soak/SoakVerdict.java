package io.proclens.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verdict of a soak run (scripts/soak.sh) on its samples: one row per round, taken at a quiet point with no
 * reader left. It fails a run whose reads failed or were wrong, or whose daemon grew after the warm-up.
 *
 * <p>The samples file is tab-separated: a first line {@code # files=N cpus=N interval=S}, a header of column names,
 * then rows whose first column is the phase ({@code w} warm-up, {@code m} measured). Only measured rows are judged,
 * except reads, failures and wrong answers, which count in every row.
 *
 * <p>The tolerances, and why:
 * <ul>
 * <li>RSS of the holder: 2 MiB. It waits on its sockets; nothing it does depends on the load.
 * <li>RSS of the worker: 8 MiB or 10%, the larger. The young generation resizes, C1 compiles now and then, malloc
 *     keeps freed arenas; a leak of one 4 KiB snapshot per open at hundreds of opens a second passes it in a minute.
 * <li>Heap after a full GC: 1 MiB or 10%; metaspace: 512 KiB (every class the load needs loads in the warm-up).
 * <li>Descriptors and threads: exactly those of the first measured quiet point; open handles: none.
 * <li>Caches: no more entries than the cgroups and pid namespaces made lately explain, where lately is how long an
 *     idle entry may live (60 s of idle and sweep period, plus a round). A row of stat floors is 10 fields times
 *     (CPUs + 1) lines, rounded up to a power of two, at least 16.
 * <li>Load averages: a cgroup removed goes at the next 5 s sample, so only those made in the last round count.
 * <li>Caller resolutions: at most 4096 + 1024 (a miss clears the expired among the next 16 of 65536 slots, so at
 *     most one lap of 4096 misses stays expired; the rest were made in the last 100 ms).
 * <li>Host fallbacks: none; each one answered a reader with the host's numbers.
 * </ul>
 * The means compare the first third of the measured rows with the last third.
 *
 * <p>Run by hand: {@code java daemon/src/test/java/io/proclens/soak/SoakVerdict.java SAMPLES.tsv}; exit status 0
 * passed, 1 failed, 2 the samples could not be read.
 */
public final class SoakVerdict {
    /** Checks are made up of their lines; a run passes when none failed. */
    public record Check(String label, boolean passed, String detail) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-4s %-26s %s", passed ? "ok" : "FAIL", label, detail);
        }
    }

    /** The parsed samples: the run's context and its rows by column name. */
    public record Samples(int files, int cpus, int interval, List<String> phases, List<Map<String, Long>> rows) {
        long at(int row, String column) {
            Long value = rows.get(row).get(column);
            if (value == null) throw new IllegalArgumentException("no column " + column + " in the samples");
            return value;
        }
    }

    private static final int FIXED_CGROUPS = 4; // A, B, the worker's own and one spare
    private static final int IDLE_WINDOW = 60;  // seconds an idle cache entry may live: 30 s idle + a 30 s sweep

    private SoakVerdict() {
    }

    public static Samples parse(List<String> lines) {
        if (lines.size() < 2 || !lines.get(0).startsWith("#")) {
            throw new IllegalArgumentException("no '# files=N cpus=N interval=S' line and header");
        }
        Map<String, Integer> context = new HashMap<>();
        for (String pair : lines.get(0).substring(1).trim().split("\\s+")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2) context.put(kv[0], parseInt(kv[1], kv[0]));
        }
        for (String key : List.of("files", "cpus", "interval")) {
            if (!context.containsKey(key)) throw new IllegalArgumentException("the first line has no " + key + "=");
        }
        String[] names = lines.get(1).split("\t");
        if (names.length < 2 || !names[0].equals("phase")) {
            throw new IllegalArgumentException("the header must start with phase: " + lines.get(1));
        }
        List<String> phases = new ArrayList<>();
        List<Map<String, Long>> rows = new ArrayList<>();
        for (int i = 2; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String[] cells = lines.get(i).split("\t");
            if (cells.length != names.length) {
                throw new IllegalArgumentException("row " + (i + 1) + " has " + cells.length + " cells, the header "
                        + names.length);
            }
            if (!cells[0].equals("w") && !cells[0].equals("m")) {
                throw new IllegalArgumentException("row " + (i + 1) + ": phase '" + cells[0] + "' is neither w nor m");
            }
            Map<String, Long> row = new HashMap<>();
            for (int c = 1; c < names.length; c++) row.put(names[c], parseLong(cells[c], names[c], i + 1));
            phases.add(cells[0]);
            rows.add(row);
        }
        return new Samples(context.get("files"), context.get("cpus"), context.get("interval"), phases, rows);
    }

    public static List<Check> judge(Samples s) {
        List<Check> checks = new ArrayList<>();
        long reads = 0, errors = 0, wrong = 0;
        for (int r = 0; r < s.rows().size(); r++) {
            reads += s.at(r, "reads");
            errors += s.at(r, "errors");
            wrong += s.at(r, "wrong");
        }
        checks.add(new Check("reads", errors == 0 && wrong == 0,
                reads + " reads, " + errors + " failed, " + wrong + " wrong"));
        List<Integer> measured = new ArrayList<>();
        for (int r = 0; r < s.rows().size(); r++) if (s.phases().get(r).equals("m")) measured.add(r);
        if (measured.size() < 3) {
            checks.add(new Check("rows after the warm-up", false,
                    "only " + measured.size() + ": run longer or with a shorter WARMUP"));
            return checks;
        }
        Judge j = new Judge(s, measured);
        checks.add(j.growth("RSS holder", "rss_h", "MiB", 1024, 2048, 0));
        checks.add(j.growth("RSS worker", "rss_w", "MiB", 1024, 8192, 0.10));
        checks.add(j.growth("heap after GC (worker)", "heap", "MiB", 1024, 1024, 0.10));
        checks.add(j.growth("metaspace (worker)", "meta", "KiB", 1, 512, 0));
        for (String[] steady : new String[][] {{"descriptors holder", "fds_h"}, {"descriptors worker", "fds_w"},
                {"threads holder", "thr_h"}, {"threads worker", "thr_w"}}) {
            checks.add(j.exactly(steady[0], steady[1], s.at(measured.get(0), steady[1])));
        }
        checks.add(j.exactly("open handles", "handles", 0));
        int window = IDLE_WINDOW + s.interval() + 5;
        checks.add(j.bounded("snapshot cache entries", "cache", s.files(), 1, window));
        checks.add(j.bounded("stat floors", "floors", statFloorRow(s.cpus()), 0, window));
        checks.add(j.bounded("cgroups with load averages", "loadavg", 1, 0, s.interval() + 5));
        checks.add(j.exactly("host fallbacks", "fallbacks", 0));
        checks.add(j.atMost("caller resolutions", "callers", 4096 + 1024));
        return checks;
    }

    static int statFloorRow(int cpus) {
        int row = 16;
        while (row < 10 * (cpus + 1)) row *= 2;
        return row;
    }

    public static boolean passed(List<Check> checks) {
        return checks.stream().allMatch(Check::passed);
    }

    /** The checks over the measured rows, in sample order. */
    private record Judge(Samples s, List<Integer> measured) {
        Check growth(String label, String column, String unit, double scale, double absolute, double relative) {
            int third = measured.size() / 3;
            double first = mean(column, 0, third), last = mean(column, measured.size() - third, measured.size());
            double tolerance = Math.max(absolute, relative * first);
            return new Check(label, last - first <= tolerance, String.format(Locale.ROOT,
                    "%10.1f -> %10.1f %s (mean of the first and last %d of %d rows after the warm-up; tolerance +%.1f)",
                    first / scale, last / scale, unit, third, measured.size(), tolerance / scale));
        }

        Check exactly(String label, String column, long want) {
            int bad = 0;
            long firstAt = 0;
            List<Long> values = new ArrayList<>();
            for (int r : measured) {
                values.add(s.at(r, column));
                if (s.at(r, column) != want && bad++ == 0) firstAt = s.at(r, "t");
            }
            return new Check(label, bad == 0, String.format(Locale.ROOT, "%10d at every quiet point%s", want,
                    bad == 0 ? "" : ": " + bad + " of " + measured.size() + " rows differ, from t=" + firstAt
                            + " s (values " + values + ")"));
        }

        Check atMost(String label, String column, long limit) {
            int bad = 0;
            long worst = 0;
            for (int r : measured) {
                long v = s.at(r, column);
                if (v > limit) {
                    bad++;
                    worst = Math.max(worst, v);
                }
            }
            return new Check(label, bad == 0, String.format(Locale.ROOT, "%10d -> %10d %s", firstValue(column),
                    lastValue(column), bad == 0 ? "(at most " + limit + ")"
                            : "above " + limit + " in " + bad + " of " + measured.size() + " rows, up to " + worst));
        }

        /** At most perCgroup entries for each cgroup alive or made within the window, perNamespace for each namespace. */
        Check bounded(String label, String column, long perCgroup, long perNamespace, long window) {
            int bad = 0;
            String worst = null;
            for (int r : measured) {
                long limit = perCgroup * (FIXED_CGROUPS + recent("cgroups", r, window))
                        + perNamespace * recent("ns", r, window);
                long v = s.at(r, column);
                if (v > limit) {
                    bad++;
                    if (worst == null) worst = "t=" + s.at(r, "t") + " s: " + v + " > " + limit;
                }
            }
            return new Check(label, bad == 0, String.format(Locale.ROOT, "%10d -> %10d %s", firstValue(column),
                    lastValue(column), bad == 0 ? "(within what the cgroups and namespaces made lately explain)"
                            : "exceeds what the cgroups and namespaces made lately explain in " + bad + " of "
                            + measured.size() + " rows, first " + worst));
        }

        /** The sum of a column over the rows (of any phase) within window seconds before row r, r included. */
        private long recent(String column, int r, long window) {
            long sum = 0;
            for (int j = r; j >= 0 && s.at(r, "t") - s.at(j, "t") <= window; j--) sum += s.at(j, column);
            return sum;
        }

        private double mean(String column, int from, int to) {
            double sum = 0;
            for (int i = from; i < to; i++) sum += s.at(measured.get(i), column);
            return sum / (to - from);
        }

        private long firstValue(String column) {
            return s.at(measured.get(0), column);
        }

        private long lastValue(String column) {
            return s.at(measured.get(measured.size() - 1), column);
        }
    }

    private static int parseInt(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: " + text);
        }
    }

    private static long parseLong(String text, String column, int line) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("row " + line + ", " + column + ": not a number: '" + text + "'");
        }
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: SoakVerdict SAMPLES.tsv");
            System.exit(2);
        }
        List<Check> checks;
        try {
            checks = judge(parse(Files.readAllLines(Path.of(args[0]))));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("soak verdict: " + args[0] + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        checks.forEach(System.out::println);
        long failed = checks.stream().filter(c -> !c.passed()).count();
        if (failed > 0) System.out.println("soak: FAIL: " + failed + " of the checks above");
        System.exit(failed > 0 ? 1 : 0);
    }
}
