package io.proclens.fs;

/**
 * The files proclens serves, at the paths LXCFS uses below its mount, so that mounting proclens at
 * /var/lib/lxcfs replaces LXCFS. Only files that are really virtualized are listed.
 */
public enum VirtualFile {
    MEMINFO("proc/meminfo", "/proc/meminfo"),
    CPUINFO("proc/cpuinfo", "/proc/cpuinfo"),
    UPTIME("proc/uptime", "/proc/uptime"),
    STAT("proc/stat", "/proc/stat"),
    DISKSTATS("proc/diskstats", "/proc/diskstats"),
    SWAPS("proc/swaps", "/proc/swaps"),
    /** Root's only, as the host's: slab addresses and counts help kernel heap exploits. */
    SLABINFO("proc/slabinfo", "/proc/slabinfo", 0400),
    LOADAVG("proc/loadavg", "/proc/loadavg"),
    /** Not in runc's list of /proc files a container may have bound: see {@link #runcRefusesBind()}. */
    VMSTAT("proc/vmstat", "/proc/vmstat"),
    /** The pressure files exist only where the kernel has PSI: see {@link #servedHere(java.nio.file.Path)}. */
    PRESSURE_CPU("proc/pressure/cpu", "/proc/pressure/cpu"),
    PRESSURE_IO("proc/pressure/io", "/proc/pressure/io"),
    PRESSURE_MEMORY("proc/pressure/memory", "/proc/pressure/memory"),
    CPU_ONLINE("sys/devices/system/cpu/online", "/sys/devices/system/cpu/online"),
    CPU_POSSIBLE("sys/devices/system/cpu/possible", "/sys/devices/system/cpu/possible"),
    CPU_PRESENT("sys/devices/system/cpu/present", "/sys/devices/system/cpu/present"),
    CPU_OFFLINE("sys/devices/system/cpu/offline", "/sys/devices/system/cpu/offline");

    private final String path;
    private final String hostPath;
    private final int permissions;

    VirtualFile(String path, String hostPath) {
        this(path, hostPath, 0444);
    }

    VirtualFile(String path, String hostPath, int permissions) {
        this.path = path;
        this.hostPath = hostPath;
        this.permissions = permissions;
    }

    /**
     * Who may read it: the host file's read bits, no write bit (the kernel checks them: default_permissions), so
     * that the mount shows no one more than the host's /proc does.
     */
    public int permissions() {
        return permissions;
    }

    /**
     * runc (1.1 and later) refuses to start a container with a mount inside /proc but on a fixed list of files
     * (cpuinfo, diskstats, meminfo, stat, swaps, uptime, loadavg, slabinfo): docker-flags and the webhook bind
     * these only when asked.
     */
    public boolean runcRefusesBind() {
        return this == VMSTAT || pressureResource() != null;
    }

    /** PSI's resource name of a pressure file ("cpu"), or null for the others. */
    public String pressureResource() {
        return path.startsWith("proc/pressure/") ? path.substring("proc/pressure/".length()) : null;
    }

    /**
     * The files served on this machine: all of them, but the pressure files only when the kernel has PSI
     * (absent, not faked, when it has not).
     */
    public static java.util.List<VirtualFile> servedHere(java.nio.file.Path procRoot) {
        boolean psi = io.proclens.cgroup.Pressure.kernelHasPsi(procRoot);
        return java.util.Arrays.stream(values()).filter(f -> psi || f.pressureResource() == null).toList();
    }

    /** The path below the mountpoint. */
    public String path() {
        return path;
    }

    /** The host's file this one stands in for (the target of a container's bind mount). */
    public String hostPath() {
        return hostPath;
    }

    /**
     * The directories below the mount that also show the host directory of the same name, with our files standing
     * in for the host's of the same name: bind-mounting the whole directory keeps the rest of it (LXCFS does
     * the same for this one).
     */
    public static final java.util.Map<String, String> MIRRORED = java.util.Map.of(
            "sys/devices/system/cpu", "/sys/devices/system/cpu",
            "sys/devices/system/node", "/sys/devices/system/node");

    /** The mirrored host directory whose cpuN directories each reader sees as its own (see CpuDirectories). */
    static final String CPU_DIRECTORY = "/sys/devices/system/cpu";

    /** The mirrored host directory whose NUMA nodes each reader sees as its own (see NodeDirectories). */
    static final String NODE_DIRECTORY = "/sys/devices/system/node";

    /** The host directory shown in the directory {@code path} below the mount, or null. */
    static String mirrorOf(String path) {
        return MIRRORED.get(path);
    }
}
