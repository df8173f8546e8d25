package io.proclens.view;

import io.proclens.cgroup.MemoryStats;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeminfoViewTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    /** meminfo-host.txt: this machine's /proc/meminfo, no swap. */
    private static final String HOST = Fixtures.read("meminfo-host.txt");
    /** meminfo-host-swap.txt: the same with SwapTotal 8388604 kB, SwapFree 8000000 kB. */
    private static final String HOST_SWAP = Fixtures.read("meminfo-host-swap.txt");
    private static final long HOST_TOTAL_KB = 24684092;
    private static final long HOST_SWAP_KB = 8388604;

    /** The lines the view computes from the cgroup: each must be at most MemTotal. */
    private static final Set<String> PARTS_OF_MEMTOTAL = Set.of(
            "MemFree", "MemAvailable", "Buffers", "Cached", "Active", "Inactive", "Active(anon)", "Inactive(anon)",
            "Active(file)", "Inactive(file)", "Unevictable", "AnonPages", "Mapped", "Shmem", "Slab", "SReclaimable",
            "SUnreclaim", "AnonHugePages", "ShmemHugePages", "ShmemPmdMapped", "Dirty", "Writeback", "Mlocked",
            "KernelStack", "PageTables");

    /** A cgroup with the given limits and usages and fixed, distinct memory.stat numbers. */
    private static MemoryStats stats(long limit, long usage, long swapLimit, long swapUsage) {
        return new MemoryStats(limit, usage, swapLimit, swapUsage,
                64 * MIB,   // cache
                20 * MIB,   // activeAnon
                10 * MIB,   // inactiveAnon
                40 * MIB,   // activeFile
                24 * MIB,   // inactiveFile
                1 * MIB,    // unevictable
                2 * MIB,    // shmem
                8 * MIB,    // mapped
                4 * MIB,    // anonHuge
                3 * MIB,    // slabReclaimable
                1 * MIB,    // slabUnreclaimable
                12 * MIB,   // dirty
                7 * MIB);   // writeback
    }

    /** The number on the first line named {@code name}, or fails. */
    private static long value(String meminfo, String name) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith(name + ":")) {
                String rest = line.substring(name.length() + 1).strip();
                if (rest.endsWith(" kB")) rest = rest.substring(0, rest.length() - 3);
                return Long.parseLong(rest);
            }
        }
        throw new AssertionError("no line " + name + " in:\n" + meminfo);
    }

    private static String line(String meminfo, String name) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith(name + ":")) return line;
        }
        throw new AssertionError("no line " + name);
    }

    @Test
    void limitOf256MiBIsMemTotal262144kB() {
        String out = MeminfoView.render(HOST, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        // Exact line: the kernel's layout, name padded to 16 columns, value right-aligned in 8.
        assertEquals("MemTotal:         262144 kB", line(out, "MemTotal"));
        assertEquals(262144, value(out, "MemTotal"));
        assertEquals(262144 - 102400, value(out, "MemFree"));
        // free + the file LRU lists (40 + 24 MiB) + reclaimable slab (3 MiB)
        assertEquals(262144 - 102400 + 68608, value(out, "MemAvailable"));
    }

    @Test
    void everyVirtualizedLineHasTheCgroupsValue() {
        String out = MeminfoView.render(HOST, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertAll(
                () -> assertEquals(0, value(out, "Buffers")),
                () -> assertEquals(65536, value(out, "Cached")),
                () -> assertEquals(0, value(out, "SwapCached")),
                () -> assertEquals(61440, value(out, "Active")),
                () -> assertEquals(34816, value(out, "Inactive")),
                () -> assertEquals(20480, value(out, "Active(anon)")),
                () -> assertEquals(10240, value(out, "Inactive(anon)")),
                () -> assertEquals(40960, value(out, "Active(file)")),
                () -> assertEquals(24576, value(out, "Inactive(file)")),
                () -> assertEquals(1024, value(out, "Unevictable")),
                () -> assertEquals(28672, value(out, "AnonPages")),
                () -> assertEquals(8192, value(out, "Mapped")),
                () -> assertEquals(2048, value(out, "Shmem")),
                () -> assertEquals(4096, value(out, "Slab")),
                () -> assertEquals(3072, value(out, "SReclaimable")),
                () -> assertEquals(1024, value(out, "SUnreclaim")),
                () -> assertEquals(4096, value(out, "AnonHugePages")),
                () -> assertEquals(0, value(out, "ShmemHugePages")),
                () -> assertEquals(0, value(out, "ShmemPmdMapped")),
                () -> assertEquals(12288, value(out, "Dirty")),
                () -> assertEquals(7168, value(out, "Writeback")));
    }

    @Test
    void linesNotVirtualizedArePassedThroughUnchangedInTheHostsOrder() {
        String out = MeminfoView.render(HOST, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        String[] in = HOST.split("\n", -1);
        String[] got = out.split("\n", -1);
        assertEquals(in.length, got.length);
        for (int i = 0; i < in.length; i++) {
            String name = in[i].contains(":") ? in[i].substring(0, in[i].indexOf(':') + 1) : in[i];
            assertTrue(got[i].startsWith(name), "line " + i + " order: " + got[i]);
        }
        for (String name : List.of("CommitLimit", "Committed_AS", "VmallocTotal", "HugePages_Total",
                "Hugepagesize", "DirectMap1G", "KReclaimable", "KernelStack", "WritebackTmp", "Mlocked")) {
            assertEquals(line(HOST, name), line(out, name), name);
        }
        assertTrue(out.endsWith("kB\n"));
    }

    @Test
    void virtualizedLinesKeepTheHostsColumns() {
        String out = MeminfoView.render(HOST, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        for (String name : List.of("MemTotal", "MemFree", "Buffers", "Inactive(anon)", "ShmemPmdMapped", "SwapFree")) {
            String l = line(out, name);
            assertEquals(24, l.indexOf(" kB"), l);
            assertEquals(27, l.length(), l);
        }
    }

    @Test
    void unlimitedIsTheHostsTotal() {
        String out = MeminfoView.render(HOST, stats(MemoryStats.UNLIMITED, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals(line(HOST, "MemTotal"), line(out, "MemTotal"));
        assertEquals(HOST_TOTAL_KB, value(out, "MemTotal"));
        assertEquals(HOST_TOTAL_KB - 102400, value(out, "MemFree"));
    }

    @Test
    void limitAboveHostRamIsTheHostsTotal() {
        String out = MeminfoView.render(HOST, stats(64 * GIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals(HOST_TOTAL_KB, value(out, "MemTotal"));
    }

    @Test
    void limitBelowOneKiBMeansNoLimitAsInLxcfs() {
        String out = MeminfoView.render(HOST, stats(512, 0, MemoryStats.UNLIMITED, 0), true);
        assertEquals(HOST_TOTAL_KB, value(out, "MemTotal"));
    }

    @Test
    void usageAboveLimitGivesZeroFreeNotNegative() {
        String out = MeminfoView.render(HOST, stats(256 * MIB, 300 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals(262144, value(out, "MemTotal"));
        assertEquals(0, value(out, "MemFree"));
        // free + the file LRU lists + reclaimable slab, here 0 + 64 + 3 MiB
        assertEquals(68608, value(out, "MemAvailable"));
    }

    @Test
    void shmemLowersMemAvailableAsTheKernelsDoes() {
        // 200 MiB written to tmpfs: cache and shmem (on the anon LRU lists), none of it reclaimable without swap
        MemoryStats before = new MemoryStats(1024 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0,
                50 * MIB, 20 * MIB, 10 * MIB, 30 * MIB, 20 * MIB, 0, 0, 10 * MIB, 0, 2 * MIB, 1 * MIB, 0, 0);
        MemoryStats after = new MemoryStats(1024 * MIB, 300 * MIB, MemoryStats.UNLIMITED, 0,
                250 * MIB, 20 * MIB, 210 * MIB, 30 * MIB, 20 * MIB, 0, 200 * MIB, 10 * MIB, 0, 2 * MIB, 1 * MIB, 0, 0);
        long drop = value(MeminfoView.render(HOST, before, true), "MemAvailable")
                - value(MeminfoView.render(HOST, after, true), "MemAvailable");
        assertEquals(200 * 1024, drop);
        String out = MeminfoView.render(HOST, after, true);
        assertEquals(256000, value(out, "Cached"), "tmpfs pages are cache, as in the kernel's Cached");
        assertEquals(204800, value(out, "Shmem"));
        assertEquals(2048, value(out, "SReclaimable"));
        assertEquals(3072, value(out, "Slab"));
    }

    @Test
    void aCgroupThatNeverSwapsShowsNoSwap() {
        MemoryStats swappinessZero = new MemoryStats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, MemoryStats.UNKNOWN, MemoryStats.UNKNOWN);
        MemoryStats swapMaxZero = stats(256 * MIB, 100 * MIB, 0, 0);
        MemoryStats swappinessSixty = new MemoryStats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 60, MemoryStats.UNKNOWN, MemoryStats.UNKNOWN);
        for (MemoryStats never : List.of(swappinessZero, swapMaxZero)) {
            String out = MeminfoView.render(HOST_SWAP, never, true);
            assertEquals(0, value(out, "SwapTotal"), never.toString());
            assertEquals(0, value(out, "SwapFree"), never.toString());
        }
        assertEquals(HOST_SWAP_KB, value(MeminfoView.render(HOST_SWAP, swappinessSixty, true), "SwapTotal"));
    }

    @Test
    void zswapIsTheCgroupsWhereTheKernelAccountsIt() {
        String host = HOST.replace("Zswap:                 0 kB", "Zswap:             81920 kB")
                .replace("Zswapped:              0 kB", "Zswapped:         327680 kB");
        MemoryStats v2 = new MemoryStats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, MemoryStats.UNKNOWN, 4 * MIB, 16 * MIB);
        String out = MeminfoView.render(host, v2, true);
        assertEquals(4096, value(out, "Zswap"));
        assertEquals(16384, value(out, "Zswapped"));
        String v1 = MeminfoView.render(host, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals(81920, value(v1, "Zswap"), "without the cgroup's number: the host's, capped at MemTotal");
        assertEquals(327680, value(v1, "Zswapped"));
    }

    @Test
    void partsOfMemoryNeverExceedMemTotal() {
        // A 16 MiB limit with 64 MiB of cache and 60 MiB active: stats skewed against the limit.
        String out = MeminfoView.render(HOST, stats(16 * MIB, 1 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals(16384, value(out, "MemTotal"));
        assertEquals(15360, value(out, "MemFree"));
        assertEquals(16384, value(out, "MemAvailable"));
        assertEquals(16384, value(out, "Cached"));
        assertEquals(16384, value(out, "Active"));
        assertEquals(10240, value(out, "Inactive(anon)"));
    }

    @Test
    void anonPagesClampAtZeroWhenShmemExceedsAnon() {
        MemoryStats s = new MemoryStats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0,
                0, 1 * MIB, 1 * MIB, 0, 0, 0, 5 * MIB, 0, 0, 0, 0, 0, 0);
        String out = MeminfoView.render(HOST, s, true);
        assertEquals(0, value(out, "AnonPages"));
        assertEquals(5120, value(out, "Shmem"));
    }

    @Test
    void swapLimitBelowMemoryLimit() {
        String out = MeminfoView.render(HOST_SWAP, stats(256 * MIB, 100 * MIB, 64 * MIB, 16 * MIB), true);
        assertEquals(262144, value(out, "MemTotal"));
        assertEquals(65536, value(out, "SwapTotal"));
        assertEquals(65536 - 16384, value(out, "SwapFree"));
        assertEquals(0, value(out, "SwapCached"));
        assertEquals("SwapTotal:         65536 kB", line(out, "SwapTotal"));
    }

    @Test
    void swapLimitIsCappedAtTheHostsSwap() {
        String out = MeminfoView.render(HOST_SWAP, stats(256 * MIB, 100 * MIB, 32 * GIB, 1 * MIB), true);
        assertEquals(HOST_SWAP_KB, value(out, "SwapTotal"));
        assertEquals(HOST_SWAP_KB - 1024, value(out, "SwapFree"));
    }

    @Test
    void unlimitedSwapIsTheHostsSwapMinusTheCgroupsUsage() {
        String out = MeminfoView.render(HOST_SWAP, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 2 * MIB), true);
        assertEquals(HOST_SWAP_KB, value(out, "SwapTotal"));
        assertEquals(HOST_SWAP_KB - 2048, value(out, "SwapFree"));
    }

    @Test
    void hostWithoutSwapShowsNoSwapWhateverTheLimit() {
        String out = MeminfoView.render(HOST, stats(256 * MIB, 100 * MIB, 64 * MIB, 0), true);
        assertEquals(0, value(out, "SwapTotal"));
        assertEquals(0, value(out, "SwapFree"));
    }

    @Test
    void noSwapAccountingShowsTheHostsSwap() {
        String out = MeminfoView.render(HOST_SWAP,
                stats(256 * MIB, 100 * MIB, MemoryStats.NO_SWAP_ACCOUNTING, 0), true);
        assertEquals("SwapTotal:       8388604 kB", line(out, "SwapTotal"));
        assertEquals("SwapFree:        8000000 kB", line(out, "SwapFree"));
        assertEquals(262144, value(out, "MemTotal"));
    }

    @Test
    void swapDisabledShowsNoSwap() {
        String out = MeminfoView.render(HOST_SWAP, stats(256 * MIB, 100 * MIB, 64 * MIB, 16 * MIB), false);
        assertEquals(0, value(out, "SwapTotal"));
        assertEquals(0, value(out, "SwapFree"));
        String noAccounting = MeminfoView.render(HOST_SWAP,
                stats(256 * MIB, 100 * MIB, MemoryStats.NO_SWAP_ACCOUNTING, 0), false);
        assertEquals(0, value(noAccounting, "SwapTotal"));
        assertEquals(0, value(noAccounting, "SwapFree"));
    }

    @Test
    void swapUsageAboveSwapLimitGivesZeroSwapFree() {
        String out = MeminfoView.render(HOST_SWAP, stats(256 * MIB, 100 * MIB, 64 * MIB, 80 * MIB), true);
        assertEquals(65536, value(out, "SwapTotal"));
        assertEquals(0, value(out, "SwapFree"));
    }

    @Test
    void hostResidentLinesAreCappedAtMemTotal() {
        String host = HOST.replaceFirst("(?m)^Mlocked: .*$", "Mlocked:        90000000 kB")
                .replaceFirst("(?m)^PageTables: .*$", "PageTables:      1000000 kB");
        String out = MeminfoView.render(host, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals("Mlocked:          262144 kB", line(out, "Mlocked"));
        assertEquals(262144, value(out, "PageTables"));
        // Below the total: the host's line as it is.
        assertEquals(line(HOST, "KernelStack"), line(out, "KernelStack"));
    }

    @Test
    void dirtyAndWritebackAreTheCgroupsNotTheHosts() {
        // The host's numbers, big or small, are not shown: Dirty 90000000 kB and Writeback 5000 kB here.
        String host = HOST.replaceFirst("(?m)^Dirty: .*$", "Dirty:          90000000 kB")
                .replaceFirst("(?m)^Writeback: .*$", "Writeback:          5000 kB");
        // Bytes to kB round down, as the kernel does: 10 MiB + 1023 bytes is 10240 kB.
        MemoryStats s = new MemoryStats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0,
                64 * MIB, 20 * MIB, 10 * MIB, 40 * MIB, 24 * MIB, 0, 0, 0, 0, 0, 0, 10 * MIB + 1023, 0);
        String out = MeminfoView.render(host, s, true);
        assertEquals("Dirty:             10240 kB", line(out, "Dirty"));
        assertEquals("Writeback:             0 kB", line(out, "Writeback"));
        // WritebackTmp has no cgroup number: still the host's.
        assertEquals(line(HOST, "WritebackTmp"), line(out, "WritebackTmp"));
        // A cgroup with nothing dirty shows 0, not the host's 248 kB (which is below MemTotal).
        MemoryStats clean = new MemoryStats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0,
                64 * MIB, 20 * MIB, 10 * MIB, 40 * MIB, 24 * MIB, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals("Dirty:               248 kB", line(HOST, "Dirty"));
        assertEquals("Dirty:                 0 kB", line(MeminfoView.render(HOST, clean, true), "Dirty"));
    }

    @Test
    void dirtyAndWritebackAreCappedAtMemTotal() {
        // A 16 MiB limit with 64 MiB dirty and 32 MiB under writeback: stats skewed against the limit.
        MemoryStats s = new MemoryStats(16 * MIB, 1 * MIB, MemoryStats.UNLIMITED, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64 * MIB, 32 * MIB);
        String out = MeminfoView.render(HOST, s, true);
        assertEquals(16384, value(out, "MemTotal"));
        assertEquals(16384, value(out, "Dirty"));
        assertEquals(16384, value(out, "Writeback"));
        // Below the total: the cgroup's number as it is.
        MemoryStats below = new MemoryStats(16 * MIB, 1 * MIB, MemoryStats.UNLIMITED, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16 * MIB - 1024, 3 * MIB);
        String outBelow = MeminfoView.render(HOST, below, true);
        assertEquals(16383, value(outBelow, "Dirty"));
        assertEquals(3072, value(outBelow, "Writeback"));
    }

    @Test
    void everyNumberParsesBackNonNegativeAndAtMost2To63() {
        List<MemoryStats> cases = new ArrayList<>();
        long max = Long.MAX_VALUE;
        cases.add(stats(256 * MIB, 100 * MIB, 64 * MIB, 16 * MIB));
        cases.add(stats(256 * MIB, 300 * MIB, 64 * MIB, 80 * MIB));
        cases.add(stats(MemoryStats.UNLIMITED, max, MemoryStats.UNLIMITED, max));
        cases.add(stats(0, 0, 0, 0));
        cases.add(stats(max - 1, max, MemoryStats.NO_SWAP_ACCOUNTING, max));
        cases.add(new MemoryStats(1 * MIB, max, max, max, max, max, max, max, max, max, max, max, max, max, max, max, max));
        cases.add(new MemoryStats(-5, -5, -7, -5, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
        BigInteger limit = BigInteger.TWO.pow(63);
        for (String host : List.of(HOST, HOST_SWAP)) {
            for (MemoryStats s : cases) {
                for (boolean swap : List.of(true, false)) {
                    String out = MeminfoView.render(host, s, swap);
                    long total = value(out, "MemTotal");
                    for (String l : out.split("\n")) {
                        String rest = l.substring(l.indexOf(':') + 1).strip();
                        if (rest.endsWith(" kB")) rest = rest.substring(0, rest.length() - 3);
                        BigInteger n = new BigInteger(rest);
                        assertTrue(n.signum() >= 0 && n.compareTo(limit) <= 0, l + " for " + s);
                        String name = l.substring(0, l.indexOf(':'));
                        if (PARTS_OF_MEMTOTAL.contains(name)) {
                            assertTrue(n.longValueExact() <= total, l + " > MemTotal " + total + " for " + s);
                        }
                    }
                    assertTrue(value(out, "SwapFree") <= value(out, "SwapTotal"), out);
                }
            }
        }
    }

    @Test
    void malformedHostLinesArePassedThroughAndNothingThrows() {
        String host = """
                MemTotal:        1048576 kB
                MemFree:
                garbage without a colon

                Cached:          lots kB
                Active:          123 kB extra
                Huge:            99999999999999999999999 kB
                :                12 kB
                Buffers:            4208 kB
                DirectMap1G:    251""";
        String out = MeminfoView.render(host, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        String[] lines = out.split("\n", -1);
        assertEquals(10, lines.length);
        assertEquals("MemTotal:         262144 kB", lines[0]);
        assertEquals("MemFree:", lines[1]);
        assertEquals("garbage without a colon", lines[2]);
        assertEquals("", lines[3]);
        assertEquals("Cached:          lots kB", lines[4]);
        assertEquals("Active:          123 kB extra", lines[5]);
        assertEquals("Huge:            99999999999999999999999 kB", lines[6]);
        assertEquals(":                12 kB", lines[7]);
        assertEquals("Buffers:               0 kB", lines[8]);
        // The truncated last line stays as it was, still without a newline.
        assertEquals("DirectMap1G:    251", lines[9]);
        assertFalse(out.endsWith("\n"));
    }

    @Test
    void truncatedVirtualizedLastLineIsRenderedWithoutNewline() {
        String out = MeminfoView.render("MemTotal:       24684092 kB\nMemFree:        1",
                stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals("MemTotal:         262144 kB\nMemFree:          159744 kB", out);
    }

    @Test
    void hostWithoutMemTotal() {
        String host = "MemFree:        24329668 kB\nCached:           226228 kB\n";
        // No limit and no host total: nothing sane to show but the host's text.
        assertEquals(host, MeminfoView.render(host, stats(MemoryStats.UNLIMITED, 100 * MIB, MemoryStats.UNLIMITED, 0), true));
        // A limit is a total on its own.
        String limited = MeminfoView.render(host, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals("MemFree:          159744 kB\nCached:            65536 kB\n", limited);
        assertEquals("", MeminfoView.render("", stats(256 * MIB, 0, 0, 0), true));
    }

    @Test
    void bigHostKeepsTheKernelsColumns() {
        // A 128 GiB host prints a 9-digit MemTotal past the 8-column field; the other lines set the layout.
        String host = """
                MemTotal:       131072000 kB
                MemFree:        120000000 kB
                Buffers:            4208 kB
                Cached:           226228 kB
                """;
        String out = MeminfoView.render(host, stats(256 * MIB, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals("""
                MemTotal:         262144 kB
                MemFree:          159744 kB
                Buffers:               0 kB
                Cached:            65536 kB
                """, out);
        String unlimited = MeminfoView.render(host, stats(MemoryStats.UNLIMITED, 100 * MIB, MemoryStats.UNLIMITED, 0), true);
        assertEquals("MemTotal:       131072000 kB", line(unlimited, "MemTotal"));
    }

    @Test
    void kbLineFormatIsTheKernels() {
        assertEquals("MemTotal:         262144 kB", KbLine.format("MemTotal", 262144, 24));
        assertEquals("MemTotal:       123456789 kB", KbLine.format("MemTotal", 123456789, 24));
        assertEquals("Inactive(anon):        0 kB", KbLine.format("Inactive(anon)", 0, 24));
        assertEquals("AVeryLongNameIndeed:        5 kB", KbLine.format("AVeryLongNameIndeed", 5, 24));
        KbLine parsed = KbLine.parse("VmallocTotal:   34359738367 kB");
        assertNotNull(parsed);
        assertEquals(new KbLine("VmallocTotal", 34359738367L, true, 27), parsed);
        assertEquals(new KbLine("HugePages_Total", 0, false, 24), KbLine.parse("HugePages_Total:       0"));
        assertEquals(null, KbLine.parse("MemTotal:       -5 kB"));
        assertEquals(null, KbLine.parse("MemTotal:       9223372036854775808 kB"));
    }
}
