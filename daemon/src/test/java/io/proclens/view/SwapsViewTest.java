package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cgroup.MemoryStats;
import org.junit.jupiter.api.Test;

class SwapsViewTest {
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    /** Kernel-shaped /proc/swaps (6.x): two partitions and a file, 27262964 kB in all. */
    private static final String HOST = Fixtures.read("disk/swaps-host-3.txt");
    private static final long HOST_TOTAL_KB = 8388604 + 2097148 + 16777212;
    /** This machine's /proc/swaps: no swap, the header alone. */
    private static final String HOST_NO_SWAP = Fixtures.read("disk/swaps-host-noswap.txt");
    /** A kernel before 5.8: one tab between Size, Used and Priority. */
    private static final String HOST_OLD = Fixtures.read("disk/swaps-host-old.txt");

    private static final String HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    /** "none" padded to the kernel's 40 columns, then the type, as LXCFS prints it. */
    private static final String NONE = "none                                    virtual\t\t";

    private static MemoryStats mem(long swapLimit, long swapUsage) {
        return new MemoryStats(GIB, 512 * MIB, swapLimit, swapUsage,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void theVirtualDeviceLinesUpWithTheHostsHeader() {
        assertEquals(40, NONE.indexOf("virtual"), "Type starts at column 40, after 4 tabs of 8 + 'Filename'");
    }

    @Test
    void aLimitBelowTheHostsSwap() {
        // Sizes below 10000000 kB get a second tab, as the kernel prints its own lines.
        assertEquals(HEADER + NONE + "1048576\t\t10240\t\t0\n",
                SwapsView.render(HOST, mem(GIB, 10 * MIB), true));
    }

    @Test
    void unlimitedIsTheHostsTotal() {
        assertEquals(HEADER + NONE + HOST_TOTAL_KB + "\t10240\t\t0\n",
                SwapsView.render(HOST, mem(MemoryStats.UNLIMITED, 10 * MIB), true));
    }

    @Test
    void aLimitAboveTheHostsSwapIsTheHostsTotal() {
        assertEquals(HEADER + NONE + HOST_TOTAL_KB + "\t0\t\t0\n",
                SwapsView.render(HOST, mem(64 * GIB, 0), true));
    }

    @Test
    void usageAboveTheLimitIsShownAsTheLimit() {
        // v2: memory.swap.max lowered below memory.swap.current. LXCFS prints Used > Size.
        assertEquals(HEADER + NONE + "1024\t\t1024\t\t0\n",
                SwapsView.render(HOST, mem(MIB, 5 * MIB), true));
    }

    @Test
    void usageIsRoundedDownToKb() {
        assertEquals(HEADER + NONE + "1048576\t\t0\t\t0\n", SwapsView.render(HOST, mem(GIB, 1023), true));
    }

    @Test
    void aZeroLimitShowsNoDevice() {
        assertEquals(HEADER, SwapsView.render(HOST, mem(0, 0), true));
        assertEquals(HEADER, SwapsView.render(HOST, mem(1023, 0), true), "less than 1 kB");
    }

    @Test
    void withoutSwapAccountingTheHostsFile() {
        // The kernel lets the cgroup use all the host's swap; LXCFS shows min(memory limit, host swap) here.
        assertEquals(HOST, SwapsView.render(HOST, mem(MemoryStats.NO_SWAP_ACCOUNTING, 0), true));
    }

    @Test
    void swapDisabledShowsTheHeaderAlone() {
        assertEquals(HEADER, SwapsView.render(HOST, mem(GIB, 10 * MIB), false));
        assertEquals(HEADER, SwapsView.render(HOST, mem(MemoryStats.NO_SWAP_ACCOUNTING, 0), false),
                "disabled wins over the host's file");
    }

    @Test
    void aHostWithoutSwapGivesNoDevice() {
        assertEquals(HOST_NO_SWAP, SwapsView.render(HOST_NO_SWAP, mem(MemoryStats.UNLIMITED, 0), true));
        assertEquals(HOST_NO_SWAP, SwapsView.render(HOST_NO_SWAP, mem(GIB, 10 * MIB), true));
    }

    @Test
    void anOlderKernelsLayout() {
        assertEquals("Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n" + NONE + "1048576\t10240\t0\n",
                SwapsView.render(HOST_OLD, mem(GIB, 10 * MIB), true));
    }

    @Test
    void anEmptyHostFileGetsTheKernelsHeader() {
        assertEquals(HEADER, SwapsView.render("", mem(GIB, 0), true));
    }

    @Test
    void malformedHostLinesDoNotCount() {
        String host = HEADER
                + "/dev/vda2                               partition\t1000\t\t0\t\t-2\n"
                + "garbage\n"
                + "/dev/sdb1 partition lots 0 -2\n"
                + "/dev/sdc1 partition 18446744073709551615 0 -2\n" // a wrapped number: not a size
                + "/dev/sdd1 partition -5 0 -2\n"
                + "/dev/sde1 partition 7\n";
        assertEquals(HEADER + NONE + "1000\t\t0\t\t0\n", SwapsView.render(host, mem(MemoryStats.UNLIMITED, 0), true));
    }

    @Test
    void aPathWithEscapedBlanksStillHasItsSize() {
        // The kernel writes a blank in a swap file's path as \040.
        String host = HEADER + "/var/my\\040swap                          file\t\t4096\t\t0\t\t-2\n";
        assertEquals(HEADER + NONE + "4096\t\t0\t\t0\n", SwapsView.render(host, mem(MemoryStats.UNLIMITED, 0), true));
    }

    @Test
    void hostSizesTooLargeToAddStayAtTheLargestLong() {
        String line = "/dev/x partition " + Long.MAX_VALUE + " 0 -2\n";
        assertEquals(HEADER + NONE + Long.MAX_VALUE + "\t0\t\t0\n",
                SwapsView.render(HEADER + line + line, mem(MemoryStats.UNLIMITED, 0), true));
    }

    @Test
    void aNegativeUsageTheReaderShouldNeverGiveIsZero() {
        assertEquals(HEADER + NONE + "1048576\t\t0\t\t0\n", SwapsView.render(HOST, mem(GIB, -5), true));
    }

    @Test
    void sizeIsTheSwapOnlyLimitAsMeminfosSwapTotal() {
        // LXCFS 5.0.3 shows memory limit + swap limit here (1 GiB + 256 MiB); SwapTotal in /proc/meminfo and Size
        // in /proc/swaps must agree, so that free and swapon -s tell the same story.
        String hostSwaps = HEADER + "/dev/vda2                               partition\t8388604\t\t0\t\t-2\n";
        MemoryStats m = mem(256 * MIB, 3 * MIB);
        String meminfo = MeminfoView.render(Fixtures.read("meminfo-host-swap.txt"), m, true);
        assertTrue(meminfo.contains("\nSwapTotal:        262144 kB\n"), meminfo);
        assertEquals(HEADER + NONE + "262144\t\t3072\t\t0\n", SwapsView.render(hostSwaps, m, true));
    }
}
