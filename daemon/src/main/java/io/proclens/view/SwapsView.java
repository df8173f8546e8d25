package io.proclens.view;

import io.proclens.cgroup.MemoryStats;

import java.util.Objects;

/**
 * /proc/swaps as a cgroup sees it: the header and, when the cgroup may swap, one line for a virtual device
 * {@code none} whose size is the cgroup's swap limit and whose use is the cgroup's swap usage, in kB.
 *
 * <p>The facts of LXCFS 5.0.3 ({@code proc_swaps_read} in src/proc_fuse.c) that we follow: the host's swap
 * devices are not shown, only the header and a line {@code "none" + 36 spaces + "virtual"} with priority 0, and
 * that line only when its size is above 0; with {@code --disable-swap} only the header; sizes are capped at the
 * host's total swap. What we do differently:
 * <ul>
 *   <li>Size is the cgroup's swap-only limit ({@link MemoryStats#swapLimit()}), the same number as SwapTotal in our
 *       /proc/meminfo, so that {@code swapon -s} and {@code free} agree. LXCFS 5.0.3 shows memory limit + swap
 *       limit (on v1: memsw minus memory, plus memory; on v2: memory.max + memory.swap.max), capped at the host's
 *       SwapTotal, and shows Size = Used when memory.swappiness is 0.
 *   <li>Used is capped at Size: v2's memory.swap.current can pass a memory.swap.max that was lowered below it, and
 *       LXCFS prints Used above Size then.
 *   <li>Without swap accounting (v1 without {@code memory.memsw.*}, v2 without {@code memory.swap.*}) we show the
 *       host's file: the kernel then lets the cgroup use all the host's swap, as our /proc/meminfo says too. LXCFS
 *       5.0.3 shows a virtual device of the memory limit's size (capped at the host's swap) there.
 *   <li>The host's total is the sum of the Size column of the host's /proc/swaps (LXCFS reads SwapTotal from
 *       /proc/meminfo; the kernel computes both from the same devices). Numbers are added without wrapping.
 *   <li>We print the host's header line and the kernel's column layout (sizes and uses below 10000000 are followed by
 *       two tabs since Linux 5.8, one tab before, which the host's header tells apart); LXCFS prints the old header
 *       {@code "...Size\tUsed\tPriority"} with one tab between numbers on every kernel.
 * </ul>
 *
 * <p>Three steps: {@link #parse} reads the host's header and total, {@link #compute} gives a {@link Swap}, {@link
 * #render} prints it.
 */
public final class SwapsView {

    /** The header the kernel prints since Linux 5.8 (earlier: one tab between Size, Used and Priority). */
    static final String KERNEL_HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority";
    /** The kernel pads the path to 40 columns; LXCFS prints "none" and 36 spaces. */
    static final String DEVICE = "none" + " ".repeat(36) + "virtual";
    /** Below this many kB the kernel puts a second tab after a number, to keep the columns. */
    private static final long TWO_TABS_BELOW = 10_000_000;

    private SwapsView() {
    }

    /**
     * Renders /proc/swaps for a cgroup.
     *
     * @param hostSwaps   the host's /proc/swaps; malformed lines are left out of the host's total, nothing here
     *                    throws on it
     * @param mem         the cgroup's numbers (bytes); only {@code swapLimit} and {@code swapUsage} are used
     * @param swapEnabled false for LXCFS's {@code --disable-swap}: the container is shown no swap at all
     * @return the header alone when swap is disabled or the cgroup cannot swap (limit 0, or the host has no swap);
     *         the host's text unchanged when the kernel does not account swap per cgroup; else the header and the
     *         {@code none} line
     */
    public static String render(String hostSwaps, MemoryStats mem, boolean swapEnabled) {
        Objects.requireNonNull(hostSwaps, "hostSwaps");
        Objects.requireNonNull(mem, "mem");
        Host host = parse(hostSwaps);
        if (!swapEnabled) return render(host, new Swap(0, 0));
        // NO_SWAP_ACCOUNTING, or any negative limit, which the reader should never give.
        if (mem.swapLimit() < 0) return hostSwaps;
        return render(host, compute(host, mem));
    }

    // ---------------------------------------------------------------- parse

    /**
     * The host's file.
     *
     * @param header  the host's first line when it is a header ("Filename..."), else the kernel's
     * @param totalKb the sum of the sizes of the host's swap devices, at most Long.MAX_VALUE
     * @param twoTabs whether numbers below 10000000 are followed by two tabs (the header has "Size\t\tUsed")
     */
    record Host(String header, long totalKb, boolean twoTabs) {
    }

    static Host parse(String text) {
        String[] lines = text.split("\n");
        String header = KERNEL_HEADER;
        int first = 0;
        if (lines.length > 0 && lines[0].startsWith("Filename")) {
            header = lines[0];
            first = 1;
        }
        long total = 0;
        for (int i = first; i < lines.length; i++) {
            long size = sizeKb(lines[i]);
            if (size > 0) total = total + size < 0 ? Long.MAX_VALUE : total + size;
        }
        return new Host(header, total, header.contains("Size\t\tUsed"));
    }

    /**
     * The Size of a device line "path type size used priority" (the kernel escapes blanks in the path, so the
     * fields split on blanks), or -1 when the line is not that.
     */
    static long sizeKb(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 5) return -1;
        String size = f[f.length - 3];
        if (size.isEmpty() || size.length() > 19 || !size.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        try {
            return Long.parseLong(size);
        } catch (NumberFormatException tooLarge) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- compute

    /** The virtual device, in kB; {@code 0 <= usedKb <= sizeKb}. Size 0 prints no line. */
    record Swap(long sizeKb, long usedKb) {
    }

    static Swap compute(Host host, MemoryStats mem) {
        // An unlimited cgroup may use all the host's swap; a limit above the host's swap cannot be used either.
        long limitKb = mem.swapLimit() == MemoryStats.UNLIMITED ? host.totalKb() : kb(mem.swapLimit());
        long size = Math.min(limitKb, host.totalKb());
        return new Swap(size, Math.min(kb(mem.swapUsage()), size));
    }

    // ---------------------------------------------------------------- render

    static String render(Host host, Swap swap) {
        StringBuilder out = new StringBuilder(host.header().length() + 80);
        out.append(host.header()).append('\n');
        if (swap.sizeKb() > 0) {
            out.append(DEVICE).append("\t\t");
            number(out, swap.sizeKb(), host.twoTabs());
            number(out, swap.usedKb(), host.twoTabs());
            out.append("0\n");
        }
        return out.toString();
    }

    /** A number and the tab(s) after it, as the kernel's {@code "%lu\t%s"} with {@code n < 10000000 ? "\t" : ""}. */
    private static void number(StringBuilder out, long n, boolean twoTabs) {
        out.append(n).append('\t');
        if (twoTabs && n < TWO_TABS_BELOW) out.append('\t');
    }

    /** Bytes to kB, rounding down as the kernel; a negative number of bytes, which the reader never gives, is 0. */
    static long kb(long bytes) {
        return Math.max(0, bytes) / 1024;
    }
}
