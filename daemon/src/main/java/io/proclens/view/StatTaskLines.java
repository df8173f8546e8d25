package io.proclens.view;

import io.proclens.cgroup.TaskCounts;

/**
 * The task lines of /proc/stat as a cgroup sees them: {@code procs_running} its runnable tasks (state R, the reader
 * among them, as the kernel counts it) and {@code procs_blocked} its tasks in uninterruptible sleep (state D, what
 * the kernel's {@code nr_iowait} mostly is). Without them a container's {@code vmstat} and {@code top} show the
 * host's run queue.
 *
 * <p>{@code processes} (forks since boot) and {@code btime} stay the host's: no cgroup counts its forks, and a
 * boot time moved to the container's start makes {@code ps} print start times in the future (LXCFS tried it and
 * took it back).
 */
public final class StatTaskLines {
    private StatTaskLines() {
    }

    /** {@code stat} with its procs_running and procs_blocked lines (wherever they are) given the cgroup's counts. */
    public static String apply(String stat, TaskCounts counts) {
        StringBuilder out = new StringBuilder(stat.length() + 8);
        int start = 0;
        while (start < stat.length()) {
            int end = stat.indexOf('\n', start);
            int lineEnd = end < 0 ? stat.length() : end;
            String line = stat.substring(start, lineEnd);
            if (isLine(line, "procs_running")) line = "procs_running " + counts.running();
            else if (isLine(line, "procs_blocked")) line = "procs_blocked " + counts.uninterruptible();
            out.append(line);
            if (end >= 0) out.append('\n');
            start = lineEnd + 1;
        }
        return out.toString();
    }

    /** A line "NAME VALUE" of that name: the name, one blank, and nothing but digits. */
    private static boolean isLine(String line, String name) {
        if (!line.startsWith(name + " ") || line.length() == name.length() + 1) return false;
        for (int i = name.length() + 1; i < line.length(); i++) {
            if (line.charAt(i) < '0' || line.charAt(i) > '9') return false;
        }
        return true;
    }
}
