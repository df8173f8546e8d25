package io.proclens.cgroup;

import static io.proclens.cgroup.CgroupFiles.clampedSub;
import static io.proclens.cgroup.CgroupFiles.counterField;
import static io.proclens.cgroup.CgroupFiles.flatKeyed;
import static io.proclens.cgroup.CgroupFiles.malformed;
import static io.proclens.cgroup.CgroupFiles.parseCounter;
import static io.proclens.cgroup.CgroupFiles.parseLimit;

import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a cgroup's memory and CPU controller files (memory stats and limits, cpuset, CPU usage and quota) into value
 * records. Stateless and thread-safe; reads plain files by the absolute paths in a {@link Cgroup}, nothing is cached.
 *
 * <p>Errors, the same for every method: a controller the {@link Cgroup} does not have gives an empty result
 * ({@link #memory} throws {@code NO_CONTROLLER} since it has no empty result); a cgroup directory that does not
 * exist (removed, even while being read) throws {@link CgroupException} of kind {@code GONE}; a file whose content
 * is not what the kernel writes throws {@code MALFORMED}; other I/O errors throw {@code IO_ERROR}.
 * Ancestor walks go from the cgroup up to its hierarchy root, both included, and skip levels that do not
 * have the file (the v2 root has no {@code memory.max}).
 */
public final class MemoryAndCpuReader {

    /** Reads a whole file, null if it does not exist; a seam for tests that remove a cgroup while it is read. */
    @FunctionalInterface
    interface FileSource {
        String readOrNull(Path file);
    }

    private final LeafFiles leaf;

    /** Reads the files of the {@link Cgroup}s it is given. */
    public MemoryAndCpuReader() {
        this(CgroupFiles::readOrNull);
    }

    MemoryAndCpuReader(FileSource files) {
        this.leaf = new LeafFiles(files);
    }

    /**
     * The memory numbers of the cgroup. Limits are the smallest along the ancestors (see {@link MemoryStats});
     * a limit above the host's RAM is reported as it is. Fields missing from {@code memory.stat} (older kernels)
     * are 0. v1 swap is {@code memory.memsw.*} minus {@code memory.*}, clamped at 0; if the memory limit is
     * unlimited but the memsw limit is not, the swap limit is the memsw limit. Swap is {@link
     * MemoryStats#NO_SWAP_ACCOUNTING} (with usage 0) when the cgroup has no {@code memory.memsw.usage_in_bytes}
     * (v1) or no {@code memory.swap.current} (v2).
     *
     * @throws CgroupException NO_CONTROLLER if there is no memory controller, or the cgroup lacks its usage or
     *                         {@code memory.stat} file (v2 cgroup without the controller enabled); GONE, MALFORMED,
     *                         IO_ERROR as described on the class
     */
    public MemoryStats memory(Cgroup cgroup) {
        Location at = cgroup.memory().orElseThrow(() -> new CgroupException(
                CgroupException.Kind.NO_CONTROLLER, "no memory controller for " + cgroup));
        return at.version() == Version.V1 ? memoryV1(at) : memoryV2(at);
    }

    private MemoryStats memoryV1(Location at) {
        long usage = parseCounter(required(at, "memory.usage_in_bytes"), at.dir().resolve("memory.usage_in_bytes"));
        String statText = required(at, "memory.stat");
        long limit = minLimit(at, "memory.limit_in_bytes", false).orElse(MemoryStats.UNLIMITED);
        String memswUsageText = leafOrNull(at, "memory.memsw.usage_in_bytes");
        long swapLimit;
        long swapUsage;
        if (memswUsageText == null) {
            swapLimit = MemoryStats.NO_SWAP_ACCOUNTING;
            swapUsage = 0;
        } else {
            swapUsage = clampedSub(parseCounter(memswUsageText, at.dir().resolve("memory.memsw.usage_in_bytes")), usage);
            long memswLimit = minLimit(at, "memory.memsw.limit_in_bytes", false).orElse(MemoryStats.UNLIMITED);
            if (memswLimit == MemoryStats.UNLIMITED) swapLimit = MemoryStats.UNLIMITED;
            else if (limit == MemoryStats.UNLIMITED) swapLimit = memswLimit;
            else swapLimit = clampedSub(memswLimit, limit);
        }
        requireDir(at); // removed while we walked its ancestors: the limits above are not its own
        Path statFile = at.dir().resolve("memory.stat");
        Map<String, String> stat = flatKeyed(statText);
        return new MemoryStats(limit, usage, swapLimit, swapUsage,
                counterField(stat, "total_cache", 0, statFile),
                counterField(stat, "total_active_anon", 0, statFile),
                counterField(stat, "total_inactive_anon", 0, statFile),
                counterField(stat, "total_active_file", 0, statFile),
                counterField(stat, "total_inactive_file", 0, statFile),
                counterField(stat, "total_unevictable", 0, statFile),
                counterField(stat, "total_shmem", 0, statFile),
                counterField(stat, "total_mapped_file", 0, statFile),
                counterField(stat, "total_rss_huge", 0, statFile),
                0,
                0,
                counterField(stat, "total_dirty", 0, statFile),
                counterField(stat, "total_writeback", 0, statFile),
                swappiness(at),
                MemoryStats.UNKNOWN,
                MemoryStats.UNKNOWN);
    }

    /** v1's memory.stat names of the hierarchical amounts (total_*) that v2 names otherwise. */
    private static final Map<String, String> V1_NAMES = Map.of(
            "rss", "anon", "cache", "file", "mapped_file", "file_mapped", "dirty", "file_dirty",
            "writeback", "file_writeback", "rss_huge", "anon_thp");

    /**
     * The counters of the cgroup's {@code memory.stat} under v2's names, for both versions: v1's hierarchical
     * {@code total_*} fields renamed (its own-only fields left out, as v2 counts the subtree). Amounts are bytes,
     * events counts; a field that is not a counter is left out.
     *
     * @throws CgroupException as {@link #memory}
     */
    public Map<String, Long> memoryCounters(Cgroup cgroup) {
        Location at = cgroup.memory().orElseThrow(() -> new CgroupException(
                CgroupException.Kind.NO_CONTROLLER, "no memory controller for " + cgroup));
        Map<String, Long> counters = new java.util.HashMap<>();
        for (Map.Entry<String, String> field : flatKeyed(required(at, "memory.stat")).entrySet()) {
            String name = field.getKey();
            if (at.version() == Version.V1) {
                if (!name.startsWith("total_")) continue;
                name = name.substring("total_".length());
                name = V1_NAMES.getOrDefault(name, name);
            }
            try {
                long value = Long.parseLong(field.getValue().strip());
                if (value >= 0) counters.put(name, value);
            } catch (NumberFormatException e) {
                // not a counter: left out
            }
        }
        return counters;
    }

    /** v1 memory.swappiness (0 to 200), {@link MemoryStats#UNKNOWN} when absent or not a number in that range. */
    private long swappiness(Location at) {
        String text = leafOrNull(at, "memory.swappiness");
        if (text == null) return MemoryStats.UNKNOWN;
        try {
            long value = Long.parseLong(text.strip());
            return value >= 0 && value <= 200 ? value : MemoryStats.UNKNOWN;
        } catch (NumberFormatException e) {
            return MemoryStats.UNKNOWN;
        }
    }

    private MemoryStats memoryV2(Location at) {
        long usage = parseCounter(required(at, "memory.current"), at.dir().resolve("memory.current"));
        String statText = required(at, "memory.stat");
        long limit = minLimit(at, "memory.max", true).orElse(MemoryStats.UNLIMITED);
        String swapCurrent = leafOrNull(at, "memory.swap.current");
        long swapLimit;
        long swapUsage;
        if (swapCurrent == null) {
            swapLimit = MemoryStats.NO_SWAP_ACCOUNTING;
            swapUsage = 0;
        } else {
            swapUsage = parseCounter(swapCurrent, at.dir().resolve("memory.swap.current"));
            swapLimit = minLimit(at, "memory.swap.max", true).orElse(MemoryStats.UNLIMITED);
        }
        requireDir(at); // removed while we walked its ancestors: the limits above are not its own
        Path statFile = at.dir().resolve("memory.stat");
        Map<String, String> stat = flatKeyed(statText);
        return new MemoryStats(limit, usage, swapLimit, swapUsage,
                counterField(stat, "file", 0, statFile),
                counterField(stat, "active_anon", 0, statFile),
                counterField(stat, "inactive_anon", 0, statFile),
                counterField(stat, "active_file", 0, statFile),
                counterField(stat, "inactive_file", 0, statFile),
                counterField(stat, "unevictable", 0, statFile),
                counterField(stat, "shmem", 0, statFile),
                counterField(stat, "file_mapped", 0, statFile),
                counterField(stat, "anon_thp", 0, statFile),
                counterField(stat, "slab_reclaimable", 0, statFile),
                counterField(stat, "slab_unreclaimable", 0, statFile),
                counterField(stat, "file_dirty", 0, statFile),
                counterField(stat, "file_writeback", 0, statFile),
                MemoryStats.UNKNOWN,
                counterField(stat, "zswap", MemoryStats.UNKNOWN, statFile),
                counterField(stat, "zswapped", MemoryStats.UNKNOWN, statFile));
    }

    /**
     * The CPUs the cgroup may run on: v1 {@code cpuset.effective_cpus}, falling back to {@code cpuset.cpus};
     * v2 {@code cpuset.cpus.effective}. A level where the file is absent or empty defers to its parent; empty if no
     * level up to the hierarchy root has one, or there is no cpuset controller.
     *
     * @throws CgroupException GONE, MALFORMED (not a CPU list), IO_ERROR as described on the class
     */
    public Optional<CpuSet> cpuset(Cgroup cgroup) {
        return cpusetList(cgroup, "cpuset.effective_cpus", "cpuset.cpus", "cpuset.cpus.effective");
    }

    /**
     * The NUMA nodes the cgroup may allocate on, as {@link #cpuset} finds its CPUs: v1 {@code cpuset.effective_mems}
     * falling back to {@code cpuset.mems}, v2 {@code cpuset.mems.effective}.
     */
    public Optional<CpuSet> memoryNodes(Cgroup cgroup) {
        return cpusetList(cgroup, "cpuset.effective_mems", "cpuset.mems", "cpuset.mems.effective");
    }

    private Optional<CpuSet> cpusetList(Cgroup cgroup, String v1Effective, String v1Own, String v2Effective) {
        Optional<Location> found = cgroup.cpuset();
        if (found.isEmpty()) return Optional.empty();
        Location at = found.get();
        requireDir(at);
        List<String> names = at.version() == Version.V1 ? List.of(v1Effective, v1Own) : List.of(v2Effective);
        for (Path dir = at.dir(); dir != null; dir = parentWithin(at, dir)) {
            for (String name : names) {
                Path file = dir.resolve(name);
                String text = read(at, file);
                if (text == null || text.isBlank()) continue;
                try {
                    return Optional.of(CpuSet.parse(text));
                } catch (IllegalArgumentException e) {
                    throw malformed(file, text, e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * CPU time used by the cgroup and its descendants, in nanoseconds: v1 {@code cpuacct.usage}, v2
     * {@code cpu.stat}'s {@code usage_usec} times 1000. Empty if there is no cpuacct controller or the file is absent.
     *
     * @throws CgroupException GONE, MALFORMED (including a v2 {@code cpu.stat} without {@code usage_usec}, and a
     *                         value whose nanoseconds overflow a long), IO_ERROR as described on the class
     */
    public OptionalLong cpuUsageNanos(Cgroup cgroup) {
        Optional<Location> found = cgroup.cpuacct();
        if (found.isEmpty()) return OptionalLong.empty();
        Location at = found.get();
        if (at.version() == Version.V1) {
            String text = leafOrNull(at, "cpuacct.usage");
            return text == null ? OptionalLong.empty()
                    : OptionalLong.of(parseCounter(text, at.dir().resolve("cpuacct.usage")));
        }
        Path file = at.dir().resolve("cpu.stat");
        String text = leafOrNull(at, "cpu.stat");
        if (text == null) return OptionalLong.empty();
        long micros = counterField(flatKeyed(text), "usage_usec", -1, file);
        if (micros < 0) throw malformed(file, text, "no usage_usec");
        if (micros > Long.MAX_VALUE / 1000) throw malformed(file, text, "usage_usec overflows nanoseconds");
        return OptionalLong.of(micros * 1000);
    }

    /**
     * The most restrictive CFS quota of the cgroup and its ancestors (smallest quota/period), or empty if none
     * is set anywhere (v1 quota -1, v2 "max") or there is no cpu controller.
     *
     * @throws CgroupException GONE, MALFORMED (including a zero period), IO_ERROR as described on the class
     */
    public Optional<CpuQuota> cpuQuota(Cgroup cgroup) {
        Optional<Location> found = cgroup.cpu();
        if (found.isEmpty()) return Optional.empty();
        Location at = found.get();
        requireDir(at);
        CpuQuota smallest = null;
        for (Path dir = at.dir(); dir != null; dir = parentWithin(at, dir)) {
            CpuQuota quota = at.version() == Version.V1 ? quotaV1(at, dir) : quotaV2(at, dir);
            if (quota != null && (smallest == null || quota.cpus() < smallest.cpus())) smallest = quota;
        }
        return Optional.ofNullable(smallest);
    }

    private CpuQuota quotaV1(Location at, Path dir) {
        Path quotaFile = dir.resolve("cpu.cfs_quota_us");
        String quotaText = read(at, quotaFile);
        if (quotaText == null || quotaText.strip().equals("-1")) return null;
        long quota = parseCounter(quotaText, quotaFile);
        Path periodFile = dir.resolve("cpu.cfs_period_us");
        String periodText = read(at, periodFile);
        if (periodText == null) return null;
        long period = parseCounter(periodText, periodFile);
        if (quota == 0 || period == 0) throw malformed(quotaFile, quotaText + "/" + periodText, "zero quota or period");
        return new CpuQuota(quota, period);
    }

    private CpuQuota quotaV2(Location at, Path dir) {
        Path file = dir.resolve("cpu.max");
        String text = read(at, file);
        if (text == null) return null;
        String[] parts = text.strip().split(" ");
        if (parts.length != 2) throw malformed(file, text, "not 'quota period'");
        long period = parseCounter(parts[1], file);
        if (parts[0].equals("max")) return null;
        long quota = parseCounter(parts[0], file);
        if (quota == 0 || period == 0) throw malformed(file, text, "zero quota or period");
        return new CpuQuota(quota, period);
    }

    /** Smallest limit in the file along the ancestors, or empty if no level has the file. */
    private OptionalLong minLimit(Location at, String name, boolean allowMax) {
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (Path dir = at.dir(); dir != null; dir = parentWithin(at, dir)) {
            Path file = dir.resolve(name);
            String text = read(at, file);
            if (text == null) continue;
            any = true;
            min = Math.min(min, parseLimit(text, file, allowMax));
        }
        return any ? OptionalLong.of(min) : OptionalLong.empty();
    }

    /** The parent of dir if dir is below the hierarchy root, else null. */
    private static Path parentWithin(Location at, Path dir) {
        return dir.equals(at.hierarchyRoot()) ? null : dir.getParent();
    }

    /** A file of the cgroup's own directory that must be there: absent means GONE or NO_CONTROLLER. */
    private String required(Location at, String name) {
        String text = leafOrNull(at, name);
        if (text == null) {
            throw new CgroupException(CgroupException.Kind.NO_CONTROLLER, at.dir() + " has no " + name);
        }
        return text;
    }

    /** A file of the cgroup's own directory, or null if absent; GONE if the directory itself is absent. */
    private String leafOrNull(Location at, String name) {
        return leaf.readOrNull(at, name);
    }

    private String read(Location at, Path file) {
        return leaf.read(at, file);
    }

    private static void requireDir(Location at) {
        LeafFiles.requireDir(at);
    }
}
