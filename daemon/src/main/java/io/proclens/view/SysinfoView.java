package io.proclens.view;

/**
 * What sysinfo(2) tells a container, from the texts of the files it is shown (so that the call and the files never
 * disagree): RAM and swap from meminfo, uptime from uptime, the load averages from loadavg, and the number of its
 * cgroup's tasks. The kernel's units (its 64-bit sysinfo): bytes with mem_unit 1, uptime in whole seconds rounded
 * up, loads in fixed point with 16 fraction bits (SI_LOAD_SHIFT), procs capped at 65535 (a u16).
 */
public final class SysinfoView {
    static final int SI_LOAD_SHIFT = 16;

    private SysinfoView() {
    }

    /** struct sysinfo's numbers, in its units. */
    public record Numbers(long uptime, long[] loads, long totalRam, long freeRam, long sharedRam, long bufferRam,
                          long totalSwap, long freeSwap, int procs) {
    }

    /**
     * @throws IllegalArgumentException when a text lacks a number sysinfo needs (then the caller gets the kernel's
     *                                  answer, never a made-up one)
     */
    public static Numbers compute(String meminfo, String uptime, String loadavg, int tasks) {
        String[] loadFields = loadavg.strip().split("\\s+");
        if (loadFields.length < 3) throw new IllegalArgumentException("loadavg without three averages: " + loadavg);
        long[] loads = new long[3];
        for (int i = 0; i < 3; i++) loads[i] = Math.round(Double.parseDouble(loadFields[i]) * (1 << SI_LOAD_SHIFT));
        String[] uptimeFields = uptime.strip().split("\\s+");
        return new Numbers((long) Math.ceil(Double.parseDouble(uptimeFields[0])), loads,
                kib(meminfo, "MemTotal") * 1024, kib(meminfo, "MemFree") * 1024, kib(meminfo, "Shmem") * 1024,
                kib(meminfo, "Buffers") * 1024, kib(meminfo, "SwapTotal") * 1024, kib(meminfo, "SwapFree") * 1024,
                Math.min(Math.max(tasks, 0), 0xffff));
    }

    /** The kB of a meminfo line "NAME:   123 kB". */
    static long kib(String meminfo, String name) {
        String prefix = name + ":";
        for (String line : meminfo.split("\n")) {
            if (!line.startsWith(prefix)) continue;
            String[] fields = line.substring(prefix.length()).strip().split("\\s+");
            return Long.parseLong(fields[0]);
        }
        throw new IllegalArgumentException("meminfo has no " + name);
    }
}
