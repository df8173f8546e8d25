package io.proclens.view;

import io.proclens.cgroup.CpuSet;

import java.util.Objects;

/**
 * The CPU lists of /sys/devices/system/cpu as a cgroup sees them: its N CPUs renumbered 0 to N-1, as cpuinfo and
 * stat show them, so that every count a program can take agrees. glibc's {@code get_nprocs()}
 * ({@code sysconf(_SC_NPROCESSORS_ONLN)}, Python's {@code os.cpu_count()}) reads {@code online};
 * {@code get_nprocs_conf()} ({@code _SC_NPROCESSORS_CONF}, {@code nproc --all}) reads {@code possible}; lscpu
 * reads {@code possible}, {@code present} and {@code online} and calls the difference offline.
 *
 * <ul>
 * <li>{@code online}, {@code possible}, {@code present}: "0-(N-1)" ("0" for one CPU).
 * <li>{@code offline}: an empty line: none of the cgroup's CPUs is offline (an offline CPU is in no effective
 *     cpuset).
 * </ul>
 * The numbers are not the host's: {@code sched_getcpu()} and {@code sched_getaffinity()} still answer with host
 * numbers, as they do against cpuinfo and stat.
 */
public final class CpuListView {

    private CpuListView() {
    }

    /** online, possible or present for a cgroup shown {@code cpus}: its CPUs renumbered from 0. */
    public static String cpus(CpuSet cpus) {
        Objects.requireNonNull(cpus, "cpus");
        int n = cpus.size();
        return switch (n) {
            case 0 -> "\n"; // the kernel never shows it: a cgroup with processes has a CPU
            case 1 -> "0\n";
            default -> "0-" + (n - 1) + "\n";
        };
    }

    /** offline: none. */
    public static String offline() {
        return "\n";
    }
}
