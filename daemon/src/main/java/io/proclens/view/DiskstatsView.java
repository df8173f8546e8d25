package io.proclens.view;

import io.proclens.cgroup.DeviceIo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * /proc/diskstats as a cgroup sees it: one line per block device the cgroup did I/O on, with the cgroup's numbers.
 *
 * <p>The facts of LXCFS 5.0.3 ({@code proc_diskstats_read} in src/proc_fuse.c) that we follow: the host's lines give
 * the devices, their order and names (matched by major:minor); a device is printed only when at least one of its
 * numbers is non-zero, so devices the cgroup never touched, and partitions (the cgroup files count whole disks),
 * are left out; a device the host has no line for is not printed; I/Os in progress, weighted time and flushes are 0
 * (no per-cgroup numbers). What we do differently:
 * <ul>
 *   <li>LXCFS prints its own layout ({@code "%u       %u %s"} and always 14 numbers, the twelfth being discards
 *       <em>merged</em> where the kernel has discards completed, so every later column is shifted). We print the
 *       host's line start as it is ({@code "%4d %7d %s"} on every kernel) and exactly as many numbers as the host's
 *       line has, in the kernel's order: 11 before Linux 4.18, 15 with discards, 17 with flushes since 5.5.
 *   <li>Every number is capped at the host's number for the same device and field: the cgroup cannot have read more
 *       sectors from a disk than the disk served, and its summed request times can exceed the wall-clock time the
 *       disk was busy. (Block-layer cgroup counters count bios, the host counts requests after merging.)
 *   <li>LXCFS 5.0.3 never gets this far on current kernels: it reads the CFQ files, absent since Linux 5.0, and on
 *       cgroup v2 it looks for a "blkio" controller; both times it shows the host's file. The reader
 *       ({@code IoAccounting}) reads what the kernel has now.
 * </ul>
 *
 * <p>Three steps: {@link #parse} reads the host's lines into {@link HostDisk}s, {@link #compute} gives the numbers
 * to print for one device, {@link #render} prints the lines.
 */
public final class DiskstatsView {

    /** The kernel's field order after the name (Documentation/admin-guide/iostats.rst), 0-based. */
    static final int READ_IOS = 0;
    static final int READ_MERGES = 1;
    static final int READ_SECTORS = 2;
    static final int READ_TICKS = 3;
    static final int WRITE_IOS = 4;
    static final int WRITE_MERGES = 5;
    static final int WRITE_SECTORS = 6;
    static final int WRITE_TICKS = 7;
    static final int IN_FLIGHT = 8;
    static final int IO_TICKS = 9;
    static final int WEIGHTED_TICKS = 10;
    static final int DISCARD_IOS = 11;
    static final int DISCARD_MERGES = 12;
    static final int DISCARD_SECTORS = 13;
    static final int DISCARD_TICKS = 14;
    static final int FLUSH_IOS = 15;
    static final int FLUSH_TICKS = 16;
    /** The fields the kernel prints today; a later kernel's extra fields are printed as 0 (we have no number). */
    static final int KNOWN_FIELDS = 17;

    /** A host field that is not a plain non-negative decimal: nothing to cap at. */
    static final long UNKNOWN = -1;

    private DiskstatsView() {
    }

    /**
     * Renders /proc/diskstats for a cgroup.
     *
     * @param hostDiskstats the host's /proc/diskstats; lines that are not "major minor name numbers..." are skipped,
     *                      nothing here throws on it
     * @param devices       the cgroup's I/O per device (from {@code IoAccounting}); for a device listed twice the
     *                      first entry counts
     * @return the lines of the devices the cgroup did I/O on, each ending in '\n'; empty if there are none
     */
    public static String render(String hostDiskstats, List<DeviceIo> devices) {
        Objects.requireNonNull(hostDiskstats, "hostDiskstats");
        Objects.requireNonNull(devices, "devices");
        Map<Long, DeviceIo> byDevice = new HashMap<>();
        for (DeviceIo io : devices) byDevice.putIfAbsent(key(io.major(), io.minor()), io);
        StringBuilder out = new StringBuilder();
        for (HostDisk disk : parse(hostDiskstats)) {
            DeviceIo io = byDevice.get(key(disk.major(), disk.minor()));
            if (io == null) continue;
            long[] fields = compute(disk, io);
            if (fields != null) render(out, disk, fields);
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- parse

    /**
     * One host line.
     *
     * @param major  the device's major number
     * @param minor  the device's minor number
     * @param start  the line up to the end of the device name, printed as it is (keeps the host's column widths)
     * @param fields the host's numbers after the name, {@link #UNKNOWN} where a field is not a plain decimal that
     *               fits a long; its length is the number of fields the host prints
     */
    record HostDisk(int major, int minor, String start, long[] fields) {
    }

    static List<HostDisk> parse(String text) {
        List<HostDisk> disks = new ArrayList<>();
        for (String line : text.split("\n")) {
            HostDisk disk = parseLine(line);
            if (disk != null) disks.add(disk);
        }
        return disks;
    }

    /** A host line, or null when it is not "major minor name [numbers...]" (as LXCFS, which skips such lines). */
    static HostDisk parseLine(String line) {
        List<int[]> tokens = tokens(line);
        if (tokens.size() < 3) return null;
        long major = number(line, tokens.get(0));
        long minor = number(line, tokens.get(1));
        if (major < 0 || minor < 0 || major > Integer.MAX_VALUE || minor > Integer.MAX_VALUE) return null;
        long[] fields = new long[tokens.size() - 3];
        for (int i = 0; i < fields.length; i++) fields[i] = number(line, tokens.get(i + 3));
        return new HostDisk((int) major, (int) minor, line.substring(0, tokens.get(2)[1]), fields);
    }

    /** [start, end) of each run of non-blank chars. */
    private static List<int[]> tokens(String line) {
        List<int[]> tokens = new ArrayList<>(20);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) i++;
            if (i == n) break;
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) i++;
            tokens.add(new int[] {start, i});
        }
        return tokens;
    }

    /** The token as a non-negative long, or {@link #UNKNOWN} if it is not plain decimal digits or too large. */
    private static long number(String line, int[] token) {
        long value = 0;
        for (int i = token[0]; i < token[1]; i++) {
            int digit = line.charAt(i) - '0';
            if (digit < 0 || digit > 9) return UNKNOWN;
            if (value > (Long.MAX_VALUE - digit) / 10) return UNKNOWN;
            value = value * 10 + digit;
        }
        return value;
    }

    // ---------------------------------------------------------------- compute

    /**
     * The numbers to print for one device, as many as the host prints, or null when they are all 0 (LXCFS prints
     * only devices with some activity).
     */
    static long[] compute(HostDisk host, DeviceIo io) {
        long[] ours = new long[KNOWN_FIELDS];
        ours[READ_IOS] = io.readIos();
        ours[READ_MERGES] = io.readMerges();
        ours[READ_SECTORS] = io.readSectors();
        ours[READ_TICKS] = io.readTicksMs();
        ours[WRITE_IOS] = io.writeIos();
        ours[WRITE_MERGES] = io.writeMerges();
        ours[WRITE_SECTORS] = io.writeSectors();
        ours[WRITE_TICKS] = io.writeTicksMs();
        ours[IO_TICKS] = io.ioTicksMs();
        ours[DISCARD_IOS] = io.discardIos();
        ours[DISCARD_MERGES] = io.discardMerges();
        ours[DISCARD_SECTORS] = io.discardSectors();
        ours[DISCARD_TICKS] = io.discardTicksMs();
        // IN_FLIGHT, WEIGHTED_TICKS, FLUSH_IOS, FLUSH_TICKS: no per-cgroup number, 0 as in LXCFS.

        long[] fields = new long[host.fields().length];
        boolean any = false;
        for (int i = 0; i < fields.length; i++) {
            long value = i < KNOWN_FIELDS ? Math.max(0, ours[i]) : 0;
            long hostValue = host.fields()[i];
            // Capped at the host's own count for the device (see the class comment); an unreadable host field
            // leaves ours as it is. The host's ms fields are 32-bit and wrap after 49.7 days of busy time: the
            // cap then gives a small but still sane number.
            if (hostValue != UNKNOWN) value = Math.min(value, hostValue);
            fields[i] = value;
            any |= value != 0;
        }
        return any ? fields : null;
    }

    // ---------------------------------------------------------------- render

    static void render(StringBuilder out, HostDisk disk, long[] fields) {
        out.append(disk.start());
        for (long field : fields) out.append(' ').append(field);
        out.append('\n');
    }

    private static long key(int major, int minor) {
        return ((long) major << 32) | (minor & 0xffffffffL);
    }
}
