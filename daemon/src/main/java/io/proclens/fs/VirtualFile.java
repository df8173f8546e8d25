package io.proclens.fs;

/**
 * The files proclens serves, at the paths LXCFS uses below its mount, so that mounting proclens at
 * /var/lib/lxcfs replaces LXCFS. Only files that are really virtualized are listed.
 */
public enum VirtualFile {
    MEMINFO("proc/meminfo", "/proc/meminfo"),
    CPUINFO("proc/cpuinfo", "/proc/cpuinfo"),
    UPTIME("proc/uptime", "/proc/uptime"),
    CPU_ONLINE("sys/devices/system/cpu/online", "/sys/devices/system/cpu/online");

    private final String path;
    private final String hostPath;

    VirtualFile(String path, String hostPath) {
        this.path = path;
        this.hostPath = hostPath;
    }

    /** The path below the mountpoint. */
    public String path() {
        return path;
    }

    /** The host's file this one stands in for (the target of a container's bind mount). */
    public String hostPath() {
        return hostPath;
    }
}
