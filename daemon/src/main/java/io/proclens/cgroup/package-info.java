/**
 * Finding cgroups and reading them, with plain file reads and nothing but the JDK.
 *
 * <ul>
 * <li>{@link io.proclens.cgroup.CgroupLayout}: the mounted hierarchies (v1, hybrid, v2) from mountinfo, and
 *     {@code /proc/PID/cgroup} text to a {@link io.proclens.cgroup.Cgroup} (directories per controller, a cache key).</li>
 * <li>{@link io.proclens.cgroup.Processes}: a calling pid to the process whose cgroup counts (its pid namespace's
 *     init, as in LXCFS) as a {@link io.proclens.cgroup.Caller}.</li>
 * <li>{@link io.proclens.cgroup.MemoryAndCpuReader}: controller files to {@link io.proclens.cgroup.MemoryStats},
 *     {@link io.proclens.cgroup.CpuSet}, CPU usage and {@link io.proclens.cgroup.CpuQuota}.</li>
 * <li>{@link io.proclens.cgroup.CpuAccounting}: user and system time, per CPU where the kernel splits it
 *     ({@link io.proclens.cgroup.CpuTimes}).</li>
 * <li>{@link io.proclens.cgroup.IoAccounting}: per-device I/O ({@link io.proclens.cgroup.DeviceIo});
 *     {@link io.proclens.cgroup.SlabAccounting}: a cgroup's slabinfo.</li>
 * <li>{@link io.proclens.cgroup.TaskStates}: a cgroup's tasks by state ({@link io.proclens.cgroup.TaskCounts});
 *     {@link io.proclens.cgroup.Pressure}: its PSI files.</li>
 * </ul>
 *
 * <p>Everything takes a file system root or procfs root, so tests run on fixture trees. All failures are one
 * unchecked type, {@link io.proclens.cgroup.CgroupException}, whose kind says what happened (a vanished process is
 * its subclass {@link io.proclens.cgroup.NoSuchProcessException}); nothing here crashes on bad kernel input.
 * All types are immutable or thread-safe.
 */
package io.proclens.cgroup;
