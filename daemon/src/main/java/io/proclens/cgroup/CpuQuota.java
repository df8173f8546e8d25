package io.proclens.cgroup;

/**
 * A CFS bandwidth limit: the cgroup may run {@code quotaMicros} of CPU time every {@code periodMicros}
 * (v1 {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us}, v2 {@code cpu.max}).
 *
 * @param quotaMicros  CPU time allowed per period, &gt; 0
 * @param periodMicros length of a period, &gt; 0
 */
public record CpuQuota(long quotaMicros, long periodMicros) {
    public CpuQuota {
        if (quotaMicros <= 0 || periodMicros <= 0) {
            throw new IllegalArgumentException("quota and period must be positive: " + quotaMicros + "/" + periodMicros);
        }
    }

    /** How many whole CPUs a program should size itself for: the quota rounded up, at least 1 (LXCFS's --enable-cfs). */
    public int wholeCpus() {
        long whole = quotaMicros / periodMicros + (quotaMicros % periodMicros == 0 ? 0 : 1);
        return (int) Math.min(Math.max(whole, 1), CpuSet.MAX_CPUS);
    }

    /** How many CPUs' worth of time the quota allows, e.g. 1.5. */
    public double cpus() {
        return (double) quotaMicros / periodMicros;
    }
}
