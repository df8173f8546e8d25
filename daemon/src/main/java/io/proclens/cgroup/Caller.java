package io.proclens.cgroup;

/**
 * Who is calling, as far as proclens cares: the process whose cgroup and start time a view shows.
 *
 * @param pid              the calling process, as a pid of our (the daemon's) pid namespace
 * @param reaperPid        the process whose cgroup counts: {@code pid} itself when it is in our pid namespace,
 *                         else the init (pid 1) of its pid namespace, as a pid of ours (what LXCFS does)
 * @param ownPidNamespace  true when the caller is in a pid namespace other than ours (a container)
 * @param reaperStartTicks when the reaper started, in clock ticks since boot (field 22 of {@code /proc/REAPER/stat},
 *                         {@link Processes#USER_HZ} per second); with the pid it identifies the reaper for good
 * @param cgroupText       the content of {@code /proc/REAPER/cgroup}, for {@link CgroupLayout#cgroupOf(String)}
 */
public record Caller(int pid, int reaperPid, boolean ownPidNamespace, long reaperStartTicks, String cgroupText) {
}
