package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proclens.cgroup.DeviceIo;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiskstatsViewTest {

    /** This machine's /proc/diskstats (kernel 6.18: 17 numbers per line) when the test cgroup's files were copied. */
    static final String HOST = Fixtures.read("disk/diskstats-host.txt");

    /** The real numbers of that cgroup (test resources cgroup/io-hybrid, as IoAccounting reads them). */
    static final DeviceIo REAL_VDA = io(254, 0, 514, 33595392 / 512, 49, 33619968 / 512, 1, 33554432 / 512);

    /** A 6.x host with partitions and a device-mapper volume, columns as the kernel prints them ("%4d %7d %s"). */
    static final String HOST_WITH_PARTITIONS = """
               8       0 sda 90000 500 8000000 40000 70000 900 9000000 80000 0 60000 120000 300 0 400000 900 5000 700
               8       1 sda1 80000 400 7000000 35000 60000 800 8000000 70000 0 50000 105000 300 0 400000 900 0 0
               8       2 sda2 10000 100 1000000 5000 10000 100 1000000 10000 0 10000 15000 0 0 0 0 0 0
             259       0 nvme0n1 7000 10 600000 2000 6000 60 900000 3000 0 4000 5000 0 0 0 0 0 0
             253       0 dm-0 9000 0 700000 3000 8000 0 800000 9000 0 5000 12000 0 0 0 0 0 0
            """;

    private static DeviceIo io(int major, int minor, long rios, long rsectors, long wios, long wsectors, long dios,
                               long dsectors) {
        return new DeviceIo(major, minor, rios, 0, rsectors, 0, wios, 0, wsectors, 0, 0, dios, 0, dsectors, 0);
    }

    private static DeviceIo all(int major, int minor, long n) {
        return new DeviceIo(major, minor, n, n, n, n, n, n, n, n, n, n, n, n, n);
    }

    @Test
    void realFilesOfThisMachine() {
        // Only vda: the loop and zram devices were never touched. Its line keeps the host's columns and 17 numbers:
        // reads, merges, sectors, ms; writes, merges, sectors, ms; in flight, ms busy, weighted ms (0: no
        // per-cgroup number); discards, merges, sectors, ms; flushes, ms (0).
        assertEquals(" 254       0 vda 514 0 65616 0 49 0 65664 0 0 0 0 1 0 65536 0 0 0\n",
                DiskstatsView.render(HOST, List.of(REAL_VDA)));
    }

    @Test
    void devicesTheCgroupNeverTouchedAreLeftOut() {
        // The kernel may list a device with zeros; LXCFS prints only devices with some non-zero number.
        assertEquals("", DiskstatsView.render(HOST, List.of(all(7, 0, 0), all(253, 0, 0))));
        assertEquals("", DiskstatsView.render(HOST, List.of()));
    }

    @Test
    void aDeviceTheHostHasNoLineForIsLeftOut() {
        // 8:16 (sdb) is in the cgroup's files but not in the host's diskstats (unplugged, or another namespace).
        String out = DiskstatsView.render(HOST, List.of(all(8, 16, 5), REAL_VDA));
        assertEquals(" 254       0 vda 514 0 65616 0 49 0 65664 0 0 0 0 1 0 65536 0 0 0\n", out);
    }

    @Test
    void wholeDisksOnlyInTheHostsOrder() {
        // The cgroup files count whole disks: sda's partitions get no line. The order is the host's, not the list's.
        String out = DiskstatsView.render(HOST_WITH_PARTITIONS,
                List.of(io(253, 0, 3, 24, 0, 0, 0, 0), io(8, 0, 10, 80, 2, 16, 0, 0), io(259, 0, 1, 8, 0, 0, 0, 0)));
        assertEquals("""
                   8       0 sda 10 0 80 0 2 0 16 0 0 0 0 0 0 0 0 0 0
                 259       0 nvme0n1 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0
                 253       0 dm-0 3 0 24 0 0 0 0 0 0 0 0 0 0 0 0 0 0
                """, out);
    }

    @Test
    void theNumberOfFieldsIsTheHosts() {
        String host = """
                   8       0 sda 90 90 90 90 90 90 90 90 90 90 90
                   8      16 sdb 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90
                   8      32 sdc 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90
                   8      48 sdd 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90
                """;
        String out = DiskstatsView.render(host, List.of(all(8, 0, 7), all(8, 16, 7), all(8, 32, 7), all(8, 48, 7)));
        // 11 fields before 4.18, 15 with discards, 17 with flushes since 5.5; fields a later kernel adds are 0.
        assertEquals("""
                   8       0 sda 7 7 7 7 7 7 7 7 0 7 0
                   8      16 sdb 7 7 7 7 7 7 7 7 0 7 0 7 7 7 7
                   8      32 sdc 7 7 7 7 7 7 7 7 0 7 0 7 7 7 7 0 0
                   8      48 sdd 7 7 7 7 7 7 7 7 0 7 0 7 7 7 7 0 0 0 0 0
                """, out);
    }

    @Test
    void theTwelfthNumberIsDiscardsCompleted() {
        // LXCFS 5.0.3 prints discards merged there and shifts the columns after it; we keep the kernel's order.
        DeviceIo d = new DeviceIo(8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
        String host = "   8       0 sda" + " 99".repeat(17) + "\n";
        assertEquals("   8       0 sda 1 2 3 4 5 6 7 8 0 9 0 10 11 12 13 0 0\n", DiskstatsView.render(host, List.of(d)));
    }

    @Test
    void numbersAboveTheHostsAreCappedAtTheHosts() {
        // Block cgroup counters count bios before merging, summed request times overlap: neither may pass the disk.
        String host = "   8       0 sda 10 5 800 40 20 0 900 30 3 50 100 2 0 16 1 4 6\n";
        DeviceIo big = new DeviceIo(8, 0, 1000, 1, 100, 400, 30, 0, 100, 20, 9000, 1, 0, 100, 7);
        assertEquals("   8       0 sda 10 1 100 40 20 0 100 20 0 50 0 1 0 16 1 0 0\n",
                DiskstatsView.render(host, List.of(big)));
    }

    @Test
    void aHostFieldThatIsNotANumberDoesNotCap() {
        // 2^64 - 1 (a wrapped counter) and text tell nothing about the limit; the cgroup's number stands.
        String host = "   8       0 sda 18446744073709551615 x 800 40 20 0 900 30 0 50 100\n";
        assertEquals("   8       0 sda 1000 2 100 40 20 0 100 20 0 50 0\n",
                DiskstatsView.render(host, List.of(new DeviceIo(8, 0, 1000, 2, 100, 400, 30, 0, 100, 20, 9000, 0, 0, 0, 0))));
    }

    @Test
    void cappedToNothingIsLeftOut() {
        // The host's counters of 8:0 are 0 (they wrapped, or were reset): nothing sane to show.
        assertEquals("", DiskstatsView.render("   8       0 sda 0 0 0 0 0 0 0 0 0 0 0\n", List.of(all(8, 0, 5))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "garbage",
            "8 0",
            "8 x sda 1 2 3 4 5 6 7 8 9 10 11",
            "-8 0 sda 1 2 3 4 5 6 7 8 9 10 11",
            "8 2147483648 sda 1 2 3 4 5 6 7 8 9 10 11", // minor too large for the kernel (and an int)
            "8 0 sda", // no numbers: nothing to print
    })
    void malformedHostLinesAreSkipped(String line) {
        String host = line + "\n 254       0 vda 9 9 9 9 9 9 9 9 9 9 9\n";
        assertEquals(" 254       0 vda 9 0 9 0 9 0 9 0 0 0 0\n",
                DiskstatsView.render(host, List.of(all(8, 0, 9), io(254, 0, 9, 9, 9, 9, 0, 0))));
    }

    @Test
    void blanksAroundTheLineAreTolerated() {
        assertEquals("\t8 0  sda 1 0 0 0 0 0 0 0 0 0 0\n",
                DiskstatsView.render("\t8 0  sda   9 9 9 9 9 9 9 9 9 9 9  \r\n", List.of(io(8, 0, 1, 0, 0, 0, 0, 0))));
    }

    @Test
    void theFirstEntryOfADeviceListedTwiceCounts() {
        assertEquals("   8       0 sda 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                DiskstatsView.render(HOST_WITH_PARTITIONS, List.of(io(8, 0, 1, 0, 0, 0, 0, 0), all(8, 0, 2))));
    }

    @Test
    void aHostFileWithoutAFinalNewline() {
        assertEquals("   8       0 sda 1 0 0 0 0 0 0 0 0 0 0\n",
                DiskstatsView.render("   8       0 sda 5 5 5 5 5 5 5 5 5 5 5", List.of(io(8, 0, 1, 0, 0, 0, 0, 0))));
    }
}
