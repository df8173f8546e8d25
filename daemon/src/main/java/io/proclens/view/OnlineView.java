package io.proclens.view;

import io.proclens.cgroup.CpuSet;

import java.util.Objects;

/**
 * /sys/devices/system/cpu/online as a cgroup sees it: the cgroup's cpuset in the kernel's list format ("0-1",
 * "0,2-3"), one line. glibc's {@code get_nprocs()}, behind {@code sysconf(_SC_NPROCESSORS_ONLN)}, reads this file,
 * and with it many runtimes decide how many threads to start.
 *
 * <p>No parse step: the only input is a {@link CpuSet}, which already prints the kernel's format. An empty set gives
 * "\n"; the kernel never shows it (a cgroup with processes always has an effective CPU), so the caller should not
 * ask for it, and an empty line is the honest rendering of an empty set.
 */
public final class OnlineView {

    private OnlineView() {
    }

    public static String render(CpuSet cpus) {
        Objects.requireNonNull(cpus, "cpus");
        return cpus + "\n";
    }
}
