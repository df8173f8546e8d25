package io.proclens.view;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * /proc/uptime as a container sees it: "UPTIME IDLE\n", seconds with two decimals.
 *
 * <p>UPTIME is the age of the container (the caller computes it from its init's start time); IDLE keeps the
 * kernel's meaning, the idle time summed over all CPUs (so it grows up to {@code cpus} times faster than UPTIME):
 * the CPU time the container's CPUs could have given it minus what its cgroup used,
 * {@code max(0, uptime * cpus - cgroupCpuSeconds)}.
 *
 * <p>LXCFS 5.0.3 ({@code proc_uptime_read}) differs: it prints idle = age - cgroup CPU seconds, not multiplied by
 * the number of CPUs (so a busy multi-threaded container reaches 0 idle too soon), and when the CPU seconds exceed
 * the age it prints idle = age, a jump from 0 to the full age. It also rounds with "%.2lf" where the kernel
 * truncates to hundredths; we truncate like the kernel, so the container's uptime never prints above the host's.
 *
 * <p>Steps: {@link #parse} reads the host's two numbers, {@link #compute} gives an {@link Uptime}, {@link #render}
 * prints it.
 */
public final class UptimeView {

    private UptimeView() {
    }

    /**
     * @param hostUptime             the host's /proc/uptime; malformed text never throws (missing numbers are 0)
     * @param containerUptimeSeconds the container's age, or empty when the caller is in the host's pid namespace
     *                               (then the host's line is the answer)
     * @param cpus                   the number of CPUs the container may use (its cpuset, or its CPU quota
     *                               rounded up); below 1 counts as 1
     * @param cgroupCpuSeconds       CPU time used by the container's cgroup (cpuacct.usage or cpu.stat usage_usec)
     */
    public static String render(String hostUptime, OptionalDouble containerUptimeSeconds, int cpus,
                                double cgroupCpuSeconds) {
        Objects.requireNonNull(hostUptime, "hostUptime");
        Objects.requireNonNull(containerUptimeSeconds, "containerUptimeSeconds");
        HostUptime host = parse(hostUptime);
        if (containerUptimeSeconds.isEmpty()) {
            // The host's own line, byte for byte, when it is well-formed; else the best we can read of it.
            return host.wellFormed() ? host.line() + "\n" : render(new Uptime(host.uptime().orElse(0), host.idle().orElse(0)));
        }
        return render(compute(host, containerUptimeSeconds.getAsDouble(), cpus, cgroupCpuSeconds));
    }

    /** The host's uptime in seconds (0 when unreadable): a container's age is this minus its init's start. */
    public static double hostUptimeSeconds(String hostUptime) {
        return parse(hostUptime).uptime().orElse(0);
    }

    // ---------------------------------------------------------------- parse

    /**
     * The host's first line and its two numbers, each empty when missing or not a plain decimal.
     *
     * @param wellFormed exactly two plain decimals on the first line
     */
    record HostUptime(String line, OptionalDouble uptime, OptionalDouble idle, boolean wellFormed) {
    }

    static HostUptime parse(String text) {
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        String[] fields = line.strip().split("[ \t]+");
        OptionalDouble uptime = fields.length > 0 ? decimal(fields[0]) : OptionalDouble.empty();
        OptionalDouble idle = fields.length > 1 ? decimal(fields[1]) : OptionalDouble.empty();
        boolean wellFormed = fields.length == 2 && uptime.isPresent() && idle.isPresent();
        return new HostUptime(line, uptime, idle, wellFormed);
    }

    /**
     * A plain decimal ("258.06", "12"), else empty. Double.parseDouble alone would take "NaN", "1e9", "0x1p3" and
     * "5d", none of which the kernel prints.
     */
    static OptionalDouble decimal(String field) {
        int dot = field.indexOf('.');
        String whole = dot < 0 ? field : field.substring(0, dot);
        String fraction = dot < 0 ? "0" : field.substring(dot + 1);
        if (!digits(whole) || !digits(fraction) || whole.length() > 15) return OptionalDouble.empty();
        return OptionalDouble.of(Double.parseDouble(field));
    }

    private static boolean digits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- compute

    /** Seconds, both finite and not negative. */
    record Uptime(double uptime, double idle) {
    }

    static Uptime compute(HostUptime host, double containerUptime, int cpus, double cgroupCpuSeconds) {
        // A container cannot be older than the machine; a clock read late or a NaN must not show otherwise.
        double ceiling = host.uptime().orElse(Double.MAX_VALUE);
        double uptime = Double.isNaN(containerUptime) ? 0 : Math.clamp(containerUptime, 0, ceiling);
        // CPU time that is NaN or negative (a broken counter) counts as none used; +infinity leaves no idle time.
        double used = Double.isNaN(cgroupCpuSeconds) || cgroupCpuSeconds < 0 ? 0 : cgroupCpuSeconds;
        double idle = Math.max(0, uptime * Math.max(1, cpus) - used);
        if (!Double.isFinite(idle)) idle = 0;
        return new Uptime(uptime, idle);
    }

    // ---------------------------------------------------------------- render

    static String render(Uptime uptime) {
        return hundredths(uptime.uptime()) + " " + hundredths(uptime.idle()) + "\n";
    }

    /** Two decimals, truncated as the kernel prints them ("%lu.%02lu" of seconds and hundredths). */
    static String hundredths(double seconds) {
        // BigDecimal.valueOf goes through the shortest decimal form, so 0.29 stays 0.29 (0.29 * 100 is 28.999...).
        return BigDecimal.valueOf(seconds).setScale(2, RoundingMode.DOWN).toPlainString();
    }
}
