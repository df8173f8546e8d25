package io.proclens.cgroup;

import static io.proclens.Hostile.assertSaneNumbers;
import static io.proclens.Hostile.outcome;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.Hostile;
import io.proclens.view.DiskstatsView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Hostile v1 blkio rwstat files and v2 io.stat: devices or MALFORMED, and a well-formed /proc/diskstats. */
class IoAccountingFuzzTest {
    private static final Path FILE = Path.of("/sys/fs/cgroup/blkio/x/blkio.throttle.io_serviced_recursive");
    private static final String RWSTAT = CgroupTree.resource(
            "/cgroup/io-hybrid/root/sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive");
    private static final String IO_STAT = CgroupTree.resource("/cgroup/io-v2/root/sys/fs/cgroup/io.stat");
    private static final String HOST = CgroupTree.resource("/view/disk/diskstats-host.txt");

    @Provide
    Arbitrary<String> rwstat() {
        return Hostile.text(RWSTAT, "8:0 Read 4096\n8:0 Write 0\n8:0 Discard 0\n8:0 Total 4096\nTotal 4096\n");
    }

    @Provide
    Arbitrary<String> ioStat() {
        return Hostile.text(IO_STAT, "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6 cost.vrate=100.00\n");
    }

    @Provide
    Arbitrary<Map<String, Optional<String>>> v1Files() {
        List<String> seeds = List.of(RWSTAT);
        return CgroupTree.files(Map.of("blkio.throttle.io_service_bytes_recursive", seeds,
                "blkio.throttle.io_serviced_recursive", seeds, "blkio.bfq.io_serviced_recursive", seeds,
                "blkio.io_merged_recursive", seeds, "blkio.io_service_time_recursive", seeds,
                "blkio.io_wait_time_recursive", seeds));
    }

    /** Every diskstats line: the host's line start ("major minor name") and as many plain numbers as the host's. */
    private static void assertDiskstatsSane(List<DeviceIo> devices) {
        String text = DiskstatsView.render(HOST, devices);
        assertSaneNumbers(text);
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            assertTrue(line.matches(" *[0-9]+ +[0-9]+ [^ ]+( [0-9]+){17}"), () -> "malformed line '" + line + "'");
        }
    }

    @Property
    void rwstatIsNonNegativeCountsOrMalformed(@ForAll("rwstat") String text) {
        Map<IoAccounting.Dev, IoAccounting.Rwstat> stat = outcome(() -> IoAccounting.rwstat(text, FILE),
                CgroupException.class, FILE.toString(), text);
        if (stat == null) return;
        stat.forEach((dev, rw) -> assertTrue(dev.major() >= 0 && dev.minor() >= 0 && rw.read() >= 0
                && rw.write() >= 0 && rw.discard() >= 0 && rw.total() >= 0, () -> dev + " " + rw));
    }

    @Property
    void ioStatIsDevicesOrMalformed(@ForAll("ioStat") String text) {
        List<DeviceIo> devices = outcome(() -> IoAccounting.ioStat(text, FILE), CgroupException.class,
                FILE.toString(), text);
        if (devices != null) assertDiskstatsSane(devices);
    }

    @Property(tries = 150)
    void v1FilesReadAsDevicesOrFailNamingTheCgroup(@ForAll("v1Files") Map<String, Optional<String>> leaf) {
        try (CgroupTree tree = new CgroupTree(Cgroup.Version.V1, leaf, Map.of())) {
            Optional<List<DeviceIo>> devices = outcome(() -> new IoAccounting().devices(tree.cgroup),
                    CgroupException.class, tree.hierarchy.toString(), leaf);
            if (devices != null && devices.isPresent()) assertDiskstatsSane(devices.get());
        }
    }
}
