package io.proclens.cgroup;

/**
 * The I/O one cgroup (with its descendants) did on one block device, in the units of {@code /proc/diskstats}:
 * counts, 512-byte sectors and milliseconds. Read by {@link IoAccounting}. A number the kernel does not keep per
 * cgroup is 0; every number is non-negative.
 *
 * <p>Sources. v1: {@code blkio.throttle.io_serviced_recursive} and {@code blkio.throttle.io_service_bytes_recursive}
 * (for a device they have no line for: the CFQ {@code blkio.io_*} or BFQ {@code blkio.bfq.io_*} files of the same
 * names), and, where the I/O scheduler provides them (CFQ; BFQ with {@code CONFIG_BFQ_CGROUP_DEBUG}),
 * {@code io_merged_recursive}, {@code io_service_time_recursive} and {@code io_wait_time_recursive}. v2: {@code io.stat}.
 *
 * @param major          the device's major number ("MAJ:MIN" in the cgroup files)
 * @param minor          the device's minor number
 * @param readIos        reads completed: v1 io_serviced "Read"; v2 {@code rios}
 * @param readMerges     reads merged: v1 io_merged "Read"; 0 on v2
 * @param readSectors    sectors read: v1 io_service_bytes "Read" / 512; v2 {@code rbytes} / 512
 * @param readTicksMs    ms spent reading: v1 (io_service_time + io_wait_time) "Read", ns / 10^6; 0 on v2
 * @param writeIos       writes completed: v1 io_serviced "Write"; v2 {@code wios}
 * @param writeMerges    writes merged: v1 io_merged "Write"; 0 on v2
 * @param writeSectors   sectors written: v1 io_service_bytes "Write" / 512; v2 {@code wbytes} / 512
 * @param writeTicksMs   ms spent writing: v1 (io_service_time + io_wait_time) "Write", ns / 10^6; 0 on v2
 * @param ioTicksMs      ms spent doing I/O: v1 io_service_time "Total" / 10^6 (as LXCFS); 0 on v2
 * @param discardIos     discards completed: v1 io_serviced "Discard" (kernel 4.19+); v2 {@code dios}
 * @param discardMerges  discards merged: v1 io_merged "Discard"; 0 on v2
 * @param discardSectors sectors discarded: v1 io_service_bytes "Discard" / 512; v2 {@code dbytes} / 512
 * @param discardTicksMs ms spent discarding: v1 (io_service_time + io_wait_time) "Discard", ns / 10^6; 0 on v2
 */
public record DeviceIo(
        int major,
        int minor,
        long readIos,
        long readMerges,
        long readSectors,
        long readTicksMs,
        long writeIos,
        long writeMerges,
        long writeSectors,
        long writeTicksMs,
        long ioTicksMs,
        long discardIos,
        long discardMerges,
        long discardSectors,
        long discardTicksMs) {

    /** @throws IllegalArgumentException if any number is negative */
    public DeviceIo {
        if (major < 0 || minor < 0) throw new IllegalArgumentException("negative device number " + major + ":" + minor);
        long[] all = {readIos, readMerges, readSectors, readTicksMs, writeIos, writeMerges, writeSectors,
                writeTicksMs, ioTicksMs, discardIos, discardMerges, discardSectors, discardTicksMs};
        for (long n : all) {
            if (n < 0) throw new IllegalArgumentException("negative counter for " + major + ":" + minor + ": " + n);
        }
    }
}
