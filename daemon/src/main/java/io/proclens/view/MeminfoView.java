package io.proclens.view;

import io.proclens.cgroup.MemoryStats;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * /proc/meminfo as a cgroup sees it: the host's file, line for line and in the host's order, with the numbers the
 * cgroup has its own value for replaced by that value.
 *
 * <p>The formulas are the facts of LXCFS 5.0.3 ({@code proc_meminfo_read} in src/proc_fuse.c) with these changes,
 * each noted where it is made: MemAvailable leaves out what cannot be reclaimed (shmem, tmpfs), as LXCFS 7 and the
 * kernel do; every subtraction is clamped at 0 and every part of memory is capped at
 * MemTotal (LXCFS subtracts unsigned numbers and prints the wrapped result, e.g. MemFree = 18446744073709551xxx
 * when usage exceeds the limit), and the swap, slab, Dirty and Writeback lines use the cgroup-version-neutral
 * numbers of {@link MemoryStats}.
 *
 * <p>Three steps: {@link #parse} reads the host's text into {@link Host}, {@link #compute} turns the host's totals
 * and the cgroup's numbers into {@link Meminfo}, {@link #render} prints the host's lines with those values.
 */
public final class MeminfoView {

    /**
     * Host-wide amounts of resident memory that the cgroup has no number for: passed through, but capped at the
     * container's MemTotal, because the host's value of a thing that lives in RAM cannot be larger than the RAM the
     * container is shown (a host with 10 GiB of page tables must not tell a 256 MiB container it has 10 GiB of
     * page tables). Lines not listed (CommitLimit, Committed_AS, VmallocTotal, DirectMap*, HugePages_*) can be
     * larger than RAM on a real machine and pass through unchanged. Lines the cgroup has its own number for
     * (Dirty, Writeback, ...) are not here: {@link #compute} gives them.
     */
    private static final Set<String> HOST_RESIDENT = Set.of(
            "Mlocked", "KReclaimable", "KernelStack", "PageTables", "SecPageTables", "Percpu", "Bounce",
            "WritebackTmp", "NFS_Unstable", "FileHugePages", "FilePmdMapped", "Zswap", "Hugetlb");

    private MeminfoView() {
    }

    /**
     * Renders /proc/meminfo for a cgroup.
     *
     * @param hostMeminfo the host's /proc/meminfo; malformed lines are passed through, nothing here throws on it
     * @param mem         the cgroup's numbers (bytes)
     * @param swapEnabled false for LXCFS's {@code --disable-swap}: the container is shown no swap at all
     * @return the text; the host's text unchanged when it has no usable MemTotal and the cgroup has no limit
     *         (there is then no total to show and nothing to cap the other numbers with)
     */
    public static String render(String hostMeminfo, MemoryStats mem, boolean swapEnabled) {
        Objects.requireNonNull(hostMeminfo, "hostMeminfo");
        Objects.requireNonNull(mem, "mem");
        Host host = parse(hostMeminfo);
        OptionalLong total = memTotal(host, mem);
        if (total.isEmpty()) return hostMeminfo;
        return render(host, compute(host, mem, swapEnabled, total.getAsLong()));
    }

    // ---------------------------------------------------------------- parse

    /**
     * One host line: its text without the terminator and, when it is a "Name: number" line, the parsed number
     * ({@code null} otherwise, and such a line is printed back unchanged).
     */
    record HostLine(String text, KbLine kb) {
    }

    /**
     * The host's file: its lines (split on '\n' keeping a trailing empty element, so that joining them with '\n'
     * gives back the exact text, with or without a final newline), the host totals the formulas need, and the
     * column where the host's values end (to print our lines aligned with the host's).
     */
    record Host(List<HostLine> lines, OptionalLong memTotalKb, OptionalLong swapTotalKb, int valueEnd) {
    }

    static Host parse(String text) {
        String[] raw = text.split("\n", -1);
        HostLine[] lines = new HostLine[raw.length];
        OptionalLong memTotal = OptionalLong.empty();
        OptionalLong swapTotal = OptionalLong.empty();
        // The column where values end in most kB lines is the host's layout (24 on every kernel so far);
        // taking the most common one ignores the few lines whose values are wider than the field.
        Map<Integer, Integer> ends = new HashMap<>();
        for (int i = 0; i < raw.length; i++) {
            KbLine kb = KbLine.parse(raw[i]);
            lines[i] = new HostLine(raw[i], kb);
            if (kb == null) continue;
            if (kb.kb()) ends.merge(kb.valueEnd(), 1, Integer::sum);
            // The first occurrence wins, should a broken file repeat a line.
            if (kb.name().equals("MemTotal") && memTotal.isEmpty()) memTotal = OptionalLong.of(kb.value());
            if (kb.name().equals("SwapTotal") && swapTotal.isEmpty()) swapTotal = OptionalLong.of(kb.value());
        }
        int valueEnd = KbLine.KERNEL_VALUE_END;
        int best = 0;
        for (Map.Entry<Integer, Integer> e : ends.entrySet()) {
            if (e.getValue() > best || (e.getValue() == best && e.getKey() < valueEnd)) {
                valueEnd = e.getKey();
                best = e.getValue();
            }
        }
        return new Host(List.of(lines), memTotal, swapTotal, valueEnd);
    }

    // ---------------------------------------------------------------- compute

    /**
     * The cgroup's view, in kB. {@code swapTotal} and {@code swapFree} are empty when the host's lines are shown
     * unchanged (the kernel does not account swap per cgroup, or the cgroup's swap is unlimited and the host has no
     * SwapTotal to show instead).
     */
    record Meminfo(
            long memTotal,
            long memFree,
            long memAvailable,
            long buffers,
            long cached,
            long swapCached,
            long active,
            long inactive,
            long activeAnon,
            long inactiveAnon,
            long activeFile,
            long inactiveFile,
            long unevictable,
            long anonPages,
            long mapped,
            long shmem,
            long slab,
            long sReclaimable,
            long sUnreclaim,
            long anonHugePages,
            long shmemHugePages,
            long shmemPmdMapped,
            long dirty,
            long writeback,
            OptionalLong swapTotal,
            OptionalLong swapFree,
            OptionalLong zswap,
            OptionalLong zswapped) {
    }

    /**
     * MemTotal in kB: the cgroup's limit, or the host's MemTotal when there is no limit or the limit is above it
     * (LXCFS: a limit of 0 kB after dividing by 1024 also means "none"). Empty when neither is known.
     */
    static OptionalLong memTotal(Host host, MemoryStats mem) {
        long limitKb = mem.limit() == MemoryStats.UNLIMITED ? 0 : kb(mem.limit());
        if (limitKb == 0) return host.memTotalKb();
        return OptionalLong.of(host.memTotalKb().isPresent() ? Math.min(limitKb, host.memTotalKb().getAsLong()) : limitKb);
    }

    static Meminfo compute(Host host, MemoryStats mem, boolean swapEnabled, long total) {
        // LXCFS: MemFree = limit - usage. Clamped: usage can pass the limit (forced kernel charges, a limit
        // lowered below current usage, the files read at different moments) and a wrapped number is worse than 0.
        long free = Math.max(0, total - kb(mem.usage()));
        long cached = cap(kb(mem.cache()), total);
        long activeAnon = kb(mem.activeAnon());
        long inactiveAnon = kb(mem.inactiveAnon());
        long activeFile = kb(mem.activeFile());
        long inactiveFile = kb(mem.inactiveFile());
        long sReclaimable = kb(mem.slabReclaimable());
        // The kernel's MemAvailable (si_mem_available) is free memory plus what reclaim can give back: the page
        // cache on the file LRU lists and reclaimable slab (less low-watermark reserves a cgroup does not have).
        // Not the whole cache, as LXCFS 5 counts it: shmem and tmpfs pages are cache too but cannot be dropped,
        // only swapped, and they sit on the anon LRU lists. Capped at MemTotal: skew between reads.
        long available = cap(sat(sat(free, sat(activeFile, inactiveFile)), sReclaimable), total);
        long shmem = kb(mem.shmem());
        long sUnreclaim = kb(mem.slabUnreclaimable());
        OptionalLong swapTotal = swapTotal(host, mem, swapEnabled);
        // LXCFS: SwapFree = SwapTotal - swap usage (wrapping when usage is above the total, which happens on v2
        // after memory.swap.max is lowered below memory.swap.current). Clamped at 0.
        OptionalLong swapFree = swapTotal.isEmpty()
                ? OptionalLong.empty()
                : OptionalLong.of(Math.max(0, swapTotal.getAsLong() - kb(mem.swapUsage())));
        return new Meminfo(
                total,
                free,
                available,
                0, // LXCFS: Buffers 0. The cgroup files have no separate number for block-device buffers.
                cached,
                0, // LXCFS: SwapCached 0. Not accounted per cgroup.
                // LXCFS sums the bytes and divides once; so do we (the sum of two kB values can be 1 kB lower).
                cap(kb(sat(mem.activeAnon(), mem.activeFile())), total),
                cap(kb(sat(mem.inactiveAnon(), mem.inactiveFile())), total),
                cap(activeAnon, total),
                cap(inactiveAnon, total),
                cap(activeFile, total),
                cap(inactiveFile, total),
                cap(kb(mem.unevictable()), total),
                // LXCFS: AnonPages = active_anon + inactive_anon - shmem (shmem sits on the anon LRU lists but is
                // not anonymous memory). Clamped at 0: the three numbers are not read atomically.
                cap(kb(Math.max(0, sat(mem.activeAnon(), mem.inactiveAnon()) - Math.max(0, mem.shmem()))), total),
                cap(kb(mem.mapped()), total),
                cap(shmem, total),
                // LXCFS prints Slab, SReclaimable and SUnreclaim as 0. The cgroup's own numbers are better where
                // the kernel has them (v2 slab_reclaimable/slab_unreclaimable); on v1 they are 0, as in LXCFS.
                cap(sat(sReclaimable, sUnreclaim), total),
                cap(sReclaimable, total),
                cap(sUnreclaim, total),
                cap(kb(mem.anonHuge()), total),
                0, // LXCFS: ShmemHugePages 0.
                0, // LXCFS: ShmemPmdMapped 0.
                // LXCFS: Dirty = total_dirty, Writeback = total_writeback (v1 memory.stat; v2 has no such fields and
                // LXCFS prints 0 there). We take v2's own file_dirty and file_writeback (see MemoryStats). Capped at
                // MemTotal: dirty and writeback pages are charged to usage, so only skew between reads can pass it.
                cap(kb(mem.dirty()), total),
                cap(kb(mem.writeback()), total),
                swapTotal,
                swapFree,
                mem.zswap() < 0 ? OptionalLong.empty() : OptionalLong.of(cap(kb(mem.zswap()), total)),
                mem.zswapped() < 0 ? OptionalLong.empty() : OptionalLong.of(kb(mem.zswapped())));
    }

    /**
     * SwapTotal in kB, or empty to show the host's line.
     *
     * <ul>
     *   <li>Swap disabled (LXCFS {@code --disable-swap}), or a cgroup that never swaps (a swap limit of 0, or v1
     *       swappiness 0): 0.
     *   <li>No swap accounting: the host's swap, since the kernel lets the container use all of it. (LXCFS 5.0.3
     *       prints 0 on v2 and min(memory limit, host SwapTotal) on v1 here.)
     *   <li>Otherwise the cgroup's swap limit (the host's SwapTotal when unlimited), capped at the host's SwapTotal
     *       as LXCFS does: the container cannot swap to more than the host's swap devices. LXCFS 5.0.3 shows the
     *       swap limit on v2 but memory+swap (memsw) on v1; {@link MemoryStats#swapLimit()} is swap alone on both,
     *       which is what SwapTotal means.
     * </ul>
     */
    static OptionalLong swapTotal(Host host, MemoryStats mem, boolean swapEnabled) {
        if (!swapEnabled || mem.neverSwaps()) return OptionalLong.of(0);
        if (mem.swapLimit() < 0) return OptionalLong.empty(); // NO_SWAP_ACCOUNTING (any negative value, defensively)
        OptionalLong hostSwap = host.swapTotalKb();
        if (mem.swapLimit() == MemoryStats.UNLIMITED) return hostSwap;
        long limitKb = kb(mem.swapLimit());
        return OptionalLong.of(hostSwap.isPresent() ? Math.min(limitKb, hostSwap.getAsLong()) : limitKb);
    }

    // ---------------------------------------------------------------- render

    static String render(Host host, Meminfo view) {
        StringBuilder out = new StringBuilder(host.lines().size() * 30);
        boolean first = true;
        for (HostLine line : host.lines()) {
            if (!first) out.append('\n');
            first = false;
            KbLine kb = line.kb();
            OptionalLong value = kb == null ? OptionalLong.empty() : valueOf(kb, view);
            if (value.isEmpty()) {
                out.append(line.text());
            } else {
                out.append(KbLine.format(kb.name(), value.getAsLong(), host.valueEnd()));
            }
        }
        return out.toString();
    }

    /** The value to print for a host line, or empty to print the host's line as it is. */
    private static OptionalLong valueOf(KbLine line, Meminfo v) {
        // the cgroup's zswap where the kernel accounts it (v2), else the host's line as below
        if (line.name().equals("Zswap") && v.zswap().isPresent()) return v.zswap();
        if (line.name().equals("Zswapped")) return v.zswapped();
        if (HOST_RESIDENT.contains(line.name())) {
            // Unchanged (byte for byte) unless the host's value is above what the container can have.
            return line.value() > v.memTotal() ? OptionalLong.of(v.memTotal()) : OptionalLong.empty();
        }
        return switch (line.name()) {
            case "MemTotal" -> OptionalLong.of(v.memTotal());
            case "MemFree" -> OptionalLong.of(v.memFree());
            case "MemAvailable" -> OptionalLong.of(v.memAvailable());
            case "Buffers" -> OptionalLong.of(v.buffers());
            case "Cached" -> OptionalLong.of(v.cached());
            case "SwapCached" -> OptionalLong.of(v.swapCached());
            case "Active" -> OptionalLong.of(v.active());
            case "Inactive" -> OptionalLong.of(v.inactive());
            case "Active(anon)" -> OptionalLong.of(v.activeAnon());
            case "Inactive(anon)" -> OptionalLong.of(v.inactiveAnon());
            case "Active(file)" -> OptionalLong.of(v.activeFile());
            case "Inactive(file)" -> OptionalLong.of(v.inactiveFile());
            case "Unevictable" -> OptionalLong.of(v.unevictable());
            case "AnonPages" -> OptionalLong.of(v.anonPages());
            case "Mapped" -> OptionalLong.of(v.mapped());
            case "Shmem" -> OptionalLong.of(v.shmem());
            case "Slab" -> OptionalLong.of(v.slab());
            case "SReclaimable" -> OptionalLong.of(v.sReclaimable());
            case "SUnreclaim" -> OptionalLong.of(v.sUnreclaim());
            case "AnonHugePages" -> OptionalLong.of(v.anonHugePages());
            case "ShmemHugePages" -> OptionalLong.of(v.shmemHugePages());
            case "ShmemPmdMapped" -> OptionalLong.of(v.shmemPmdMapped());
            case "Dirty" -> OptionalLong.of(v.dirty());
            case "Writeback" -> OptionalLong.of(v.writeback());
            case "SwapTotal" -> v.swapTotal();
            case "SwapFree" -> v.swapFree();
            default -> OptionalLong.empty();
        };
    }

    // ---------------------------------------------------------------- arithmetic

    /** Bytes to kB as the kernel and LXCFS do (rounding down); a negative number of bytes, which the reader should never give, is 0. */
    static long kb(long bytes) {
        return Math.max(0, bytes) / 1024;
    }

    /** Saturating addition of two non-negative numbers: a sum above Long.MAX_VALUE stays there instead of wrapping. */
    static long sat(long a, long b) {
        long a0 = Math.max(0, a);
        long b0 = Math.max(0, b);
        long sum = a0 + b0;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    static long cap(long value, long total) {
        return Math.min(value, total);
    }
}
