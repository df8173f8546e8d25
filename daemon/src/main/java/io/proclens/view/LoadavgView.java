package io.proclens.view;

import io.proclens.cgroup.TaskCounts;
import io.proclens.load.Loadavg;
import java.util.Objects;

/**
 * /proc/loadavg as a container sees it: "LOAD1 LOAD5 LOAD15 RUNNING/TOTAL LASTPID\n".
 *
 * <p>The averages are printed exactly as the kernel prints its own ({@code fs/proc/loadavg.c}): add
 * {@code FIXED_1/200} (half of the last printed digit, so the hundredths round to nearest), then the integer
 * part {@code LOAD_INT(x) = x >> FSHIFT} and two digits {@code LOAD_FRAC(x) = ((x & (FIXED_1-1)) * 100) >> FSHIFT}.
 * RUNNING is the tasks in state R, as the kernel's {@code nr_running()}; TOTAL all tasks (threads); LASTPID the
 * highest task id, as in LXCFS (see {@link TaskCounts}).
 *
 * <p>LXCFS 5.0.3 ({@code proc_loadavg_read}) prints the same averages the same way, but as RUNNING it prints its
 * {@code run_pid}, which counts R and D tasks; we print R only, like the kernel (D tasks count in the averages).
 *
 * <p>Which counts to pass: those of the same sample ({@link Loadavg#counts()}) once the cgroup has been sampled;
 * before its first sample ({@link Loadavg#samples()} 0) the caller counts the tasks now (the averages are then
 * 0.00, as the kernel's right after boot).
 */
public final class LoadavgView {

    private LoadavgView() {
    }

    /** The container's loadavg line. */
    public static String render(Loadavg averages, TaskCounts counts) {
        Objects.requireNonNull(averages, "averages");
        Objects.requireNonNull(counts, "counts");
        StringBuilder line = new StringBuilder(48);
        average(line, averages.load1()).append(' ');
        average(line, averages.load5()).append(' ');
        average(line, averages.load15()).append(' ');
        return line.append(counts.running()).append('/').append(counts.total()).append(' ')
                .append(counts.lastPid()).append('\n').toString();
    }

    /** The host's own file, as it is (proc/loadavg without {@code --enable-loadavg}). */
    public static String host(String hostLoadavg) {
        return Objects.requireNonNull(hostLoadavg, "hostLoadavg");
    }

    /** "%lu.%02lu" of LOAD_INT and LOAD_FRAC of {@code fixedPoint + FIXED_1/200}, as the kernel prints. */
    static StringBuilder average(StringBuilder out, long fixedPoint) {
        if (fixedPoint < 0) throw new IllegalArgumentException("negative load average " + fixedPoint);
        long rounded = fixedPoint + Loadavg.FIXED_1 / 200;
        long whole = rounded >> Loadavg.FSHIFT;
        long hundredths = ((rounded & (Loadavg.FIXED_1 - 1)) * 100) >> Loadavg.FSHIFT;
        out.append(whole).append('.');
        if (hundredths < 10) out.append('0');
        return out.append(hundredths);
    }
}
