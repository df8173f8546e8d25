package io.proclens.cgroup;

import static io.proclens.cgroup.CgroupFiles.malformed;
import static io.proclens.cgroup.CgroupFiles.parseCounter;

import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads the block I/O a cgroup did, per device, into {@link DeviceIo} records (see there for each number's source).
 * Stateless and thread-safe; nothing is cached.
 *
 * <p>v1 ({@code blkio} hierarchy). The counts and bytes come from the {@code blkio.throttle.*_recursive} files,
 * which every kernel with {@code CONFIG_BLK_DEV_THROTTLING} has. Since Linux 6.10 (commit a3166c51702b, "delay
 * initialization until configuration") blk-throttle counts a device only after some cgroup has set a throttle limit
 * on it (seen on this project's 6.18 test machine), so for a device the throttle files have no line for, the
 * CFQ ({@code blkio.io_serviced_recursive}, kernels before 5.0) or BFQ ({@code blkio.bfq.io_serviced_recursive})
 * files of the same meaning are used, when the scheduler of that device keeps them. Merges and times exist only with
 * CFQ, or BFQ built with {@code CONFIG_BFQ_CGROUP_DEBUG}; without them they are 0. LXCFS 5.0.3 reads only the CFQ
 * files ({@code blkio.io_serviced_recursive}, ...), which no kernel since 5.0 has, and then shows the host's file.
 *
 * <p>v2 ({@code io} controller). {@code io.stat}: bytes and I/Os per direction; v2 has no per-cgroup merges or
 * times. LXCFS 5.0.3 looks for a "blkio" controller, which v2 does not have, and shows the host's file.
 *
 * <p>Errors follow {@link MemoryAndCpuReader}: a cgroup directory that does not exist (removed, even while being read)
 * throws {@link CgroupException} of kind {@code GONE}; a device line whose number is not a counter throws
 * {@code MALFORMED} (in v1 files also the value of an operation we do not use, such as "Sync": the kernel writes
 * counters only); other I/O errors throw {@code IO_ERROR}. Lines that are not device lines (the closing "Total N"
 * of v1 files, blank lines) are skipped, and so are v2 keys we do not know ({@code cost.vrate=100.00}, ...),
 * whatever their value.
 */
public final class IoAccounting {

    /** /proc/diskstats counts 512-byte sectors whatever the device's block size. */
    static final long SECTOR_BYTES = 512;
    private static final long NANOS_PER_MS = 1_000_000;

    /** v1 (bytes, I/Os) file pairs, most preferred first; a device is read from the first pair that lists it. */
    private static final List<List<String>> V1_COUNTS = List.of(
            List.of("blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive"),
            List.of("blkio.io_service_bytes_recursive", "blkio.io_serviced_recursive"),
            List.of("blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive"));
    /** v1 scheduler files, CFQ's name first then BFQ's; the first that exists is read. */
    private static final List<String> V1_MERGED = List.of("blkio.io_merged_recursive", "blkio.bfq.io_merged_recursive");
    private static final List<String> V1_SERVICE_TIME =
            List.of("blkio.io_service_time_recursive", "blkio.bfq.io_service_time_recursive");
    private static final List<String> V1_WAIT_TIME =
            List.of("blkio.io_wait_time_recursive", "blkio.bfq.io_wait_time_recursive");

    private final LeafFiles files;

    /** Reads the files of the {@link Cgroup}s it is given. */
    public IoAccounting() {
        this(CgroupFiles::readOrNull);
    }

    IoAccounting(MemoryAndCpuReader.FileSource files) {
        this.files = new LeafFiles(files);
    }

    /**
     * The cgroup's I/O per device, ordered by major then minor number; devices the cgroup has never done I/O on are
     * usually absent (the kernel lists a device once the cgroup has touched it, sometimes with zeros).
     *
     * @return empty when the kernel keeps no I/O numbers for this cgroup: no io controller (v1 {@code blkio} not
     *         mounted, v2 {@code io} not enabled), or none of the files above exists; the caller then shows the host's
     *         file, as LXCFS does
     * @throws CgroupException GONE, MALFORMED, IO_ERROR as described on the class
     */
    public Optional<List<DeviceIo>> devices(Cgroup cgroup) {
        Optional<Location> found = cgroup.io();
        if (found.isEmpty()) return Optional.empty();
        Location at = found.get();
        return at.version() == Version.V1 ? v1(at) : v2(at);
    }

    // ---------------------------------------------------------------- v1

    /** A device number; {@link #ORDER} sorts by major, then minor. */
    record Dev(int major, int minor) {
        static final Comparator<Dev> ORDER = Comparator.comparingInt(Dev::major).thenComparingInt(Dev::minor);
    }

    /** One device's line group of a v1 "rwstat" file; the fields we use. */
    record Rwstat(long read, long write, long discard, long total) {
        static final Rwstat ZERO = new Rwstat(0, 0, 0, 0);
    }

    private Optional<List<DeviceIo>> v1(Location at) {
        // Per device, the (bytes, I/Os) of the first pair of files that lists it.
        Map<Dev, Rwstat> bytes = new HashMap<>();
        Map<Dev, Rwstat> ios = new HashMap<>();
        boolean anyCounts = false;
        for (List<String> pair : V1_COUNTS) {
            Map<Dev, Rwstat> b = rwstatOrNull(at, pair.get(0));
            Map<Dev, Rwstat> n = rwstatOrNull(at, pair.get(1));
            if (b == null && n == null) continue;
            anyCounts = true;
            TreeSet<Dev> listed = new TreeSet<>(Dev.ORDER);
            if (b != null) listed.addAll(b.keySet());
            if (n != null) listed.addAll(n.keySet());
            for (Dev dev : listed) {
                if (bytes.containsKey(dev)) continue;
                bytes.put(dev, b == null ? Rwstat.ZERO : b.getOrDefault(dev, Rwstat.ZERO));
                ios.put(dev, n == null ? Rwstat.ZERO : n.getOrDefault(dev, Rwstat.ZERO));
            }
        }
        if (!anyCounts) return Optional.empty();
        Map<Dev, Rwstat> merged = firstRwstat(at, V1_MERGED);
        Map<Dev, Rwstat> service = firstRwstat(at, V1_SERVICE_TIME);
        Map<Dev, Rwstat> wait = firstRwstat(at, V1_WAIT_TIME);

        TreeSet<Dev> all = new TreeSet<>(Dev.ORDER);
        all.addAll(bytes.keySet());
        all.addAll(merged.keySet());
        all.addAll(service.keySet());
        all.addAll(wait.keySet());
        List<DeviceIo> out = new ArrayList<>(all.size());
        for (Dev dev : all) {
            Rwstat b = bytes.getOrDefault(dev, Rwstat.ZERO);
            Rwstat n = ios.getOrDefault(dev, Rwstat.ZERO);
            Rwstat m = merged.getOrDefault(dev, Rwstat.ZERO);
            Rwstat s = service.getOrDefault(dev, Rwstat.ZERO);
            Rwstat w = wait.getOrDefault(dev, Rwstat.ZERO);
            out.add(new DeviceIo(dev.major(), dev.minor(),
                    n.read(), m.read(), b.read() / SECTOR_BYTES, ms(s.read(), w.read()),
                    n.write(), m.write(), b.write() / SECTOR_BYTES, ms(s.write(), w.write()),
                    // LXCFS: time doing I/O is the service time of all requests. It can exceed the wall-clock time
                    // the device was busy (requests overlap); the view caps it at the host's number.
                    s.total() / NANOS_PER_MS,
                    n.discard(), m.discard(), b.discard() / SECTOR_BYTES, ms(s.discard(), w.discard())));
        }
        return Optional.of(List.copyOf(out));
    }

    /** Time spent on requests, service plus queue wait (as LXCFS), ns to ms; saturating so it cannot wrap. */
    private static long ms(long serviceNanos, long waitNanos) {
        long sum = serviceNanos + waitNanos;
        return (sum < 0 ? Long.MAX_VALUE : sum) / NANOS_PER_MS;
    }

    private Map<Dev, Rwstat> firstRwstat(Location at, List<String> names) {
        for (String name : names) {
            Map<Dev, Rwstat> stat = rwstatOrNull(at, name);
            if (stat != null) return stat;
        }
        return Map.of();
    }

    private Map<Dev, Rwstat> rwstatOrNull(Location at, String name) {
        String text = files.readOrNull(at, name);
        return text == null ? null : rwstat(text, at.dir().resolve(name));
    }

    /**
     * Parses a v1 "rwstat" file: per device, lines "MAJ:MIN Op value" for Op in Read, Write, Sync, Async, Discard
     * (4.19+) and Total, then one "Total value" line for all devices. For an Op given twice the first wins.
     */
    static Map<Dev, Rwstat> rwstat(String text, Path file) {
        Map<Dev, long[]> values = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            Dev dev = device(f[0], file);
            if (dev == null) continue;
            if (f.length != 3) throw malformed(file, line, "not 'MAJ:MIN Op value'");
            int slot = switch (f[1]) {
                case "Read" -> 0;
                case "Write" -> 1;
                case "Discard" -> 2;
                case "Total" -> 3;
                default -> -1;
            };
            long value = parseCounter(f[2], file);
            if (slot < 0) continue;
            long[] v = values.computeIfAbsent(dev, d -> new long[] {-1, -1, -1, -1});
            if (v[slot] < 0) v[slot] = value;
        }
        Map<Dev, Rwstat> out = new HashMap<>();
        values.forEach((dev, v) -> out.put(dev,
                new Rwstat(Math.max(0, v[0]), Math.max(0, v[1]), Math.max(0, v[2]), Math.max(0, v[3]))));
        return out;
    }

    // ---------------------------------------------------------------- v2

    private Optional<List<DeviceIo>> v2(Location at) {
        String text = files.readOrNull(at, "io.stat");
        if (text == null) return Optional.empty();
        return Optional.of(ioStat(text, at.dir().resolve("io.stat")));
    }

    /**
     * Parses v2 {@code io.stat}: one line per device, "MAJ:MIN key=value ..." with keys rbytes wbytes rios wios
     * dbytes dios (the last two since 4.19; absent counts 0) and, depending on the kernel's configuration, others
     * (iocost's {@code cost.*}, iolatency's {@code depth}/{@code avg_lat}, ...) that are ignored. For a device given
     * twice the first line wins.
     */
    static List<DeviceIo> ioStat(String text, Path file) {
        Map<Dev, DeviceIo> devices = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            Dev dev = device(f[0], file);
            if (dev == null || devices.containsKey(dev)) continue;
            Map<String, String> keyed = new HashMap<>();
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq <= 0) throw malformed(file, line, "not 'key=value': " + f[i]);
                keyed.putIfAbsent(f[i].substring(0, eq), f[i].substring(eq + 1));
            }
            long rbytes = counter(keyed, "rbytes", file);
            long wbytes = counter(keyed, "wbytes", file);
            long dbytes = counter(keyed, "dbytes", file);
            devices.put(dev, new DeviceIo(dev.major(), dev.minor(),
                    counter(keyed, "rios", file), 0, rbytes / SECTOR_BYTES, 0,
                    counter(keyed, "wios", file), 0, wbytes / SECTOR_BYTES, 0,
                    0,
                    counter(keyed, "dios", file), 0, dbytes / SECTOR_BYTES, 0));
        }
        List<DeviceIo> out = new ArrayList<>(devices.values());
        out.sort(Comparator.comparingInt(DeviceIo::major).thenComparingInt(DeviceIo::minor));
        return List.copyOf(out);
    }

    private static long counter(Map<String, String> keyed, String key, Path file) {
        String value = keyed.get(key);
        return value == null ? 0 : parseCounter(value, file);
    }

    // ---------------------------------------------------------------- shared

    /**
     * The device of a "MAJ:MIN" token, or null if the token does not have that shape (then the line is not a device
     * line).
     *
     * @throws CgroupException MALFORMED for a number too large for a device number
     */
    static Dev device(String token, Path file) {
        int colon = token.indexOf(':');
        if (colon <= 0 || colon == token.length() - 1) return null;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (i != colon && (c < '0' || c > '9')) return null;
        }
        long major = parseCounter(token.substring(0, colon), file);
        long minor = parseCounter(token.substring(colon + 1), file);
        if (major > Integer.MAX_VALUE || minor > Integer.MAX_VALUE) {
            throw malformed(file, token, "device number out of range");
        }
        return new Dev((int) major, (int) minor);
    }
}
