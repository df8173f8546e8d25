package io.proclens.cgroup;

import static io.proclens.cgroup.CgroupFiles.counterField;
import static io.proclens.cgroup.CgroupFiles.flatKeyed;
import static io.proclens.cgroup.CgroupFiles.malformed;
import static io.proclens.cgroup.CgroupFiles.parseCounter;

import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Reads how much CPU time a cgroup used, split into user and system and, where the kernel gives it, per CPU: the
 * input of the container's {@code /proc/stat}. Stateless and thread-safe; plain file reads, nothing cached.
 *
 * <p>Sources, in order:
 * <ul>
 * <li>v1: {@code cpuacct.usage_all} (kernel 4.7+): a header line {@code "cpu user system"}, then one line
 *     {@code "N user_ns system_ns"} per possible CPU.</li>
 * <li>v1 without it: {@code cpuacct.usage_percpu} (one total in ns per CPU, in CPU order), each split into user and
 *     system by the ratio of {@code cpuacct.stat}'s {@code user} and {@code system} (USER_HZ ticks, the whole
 *     cgroup). If {@code cpuacct.stat} is absent or both its numbers are 0, the whole time counts as user.
 *     (LXCFS 5.0.3 gives every CPU's total as both user and system there, counting it twice.)</li>
 * <li>v2: {@code cpu.stat}'s {@code user_usec} and {@code system_usec}; no per-CPU split.</li>
 * </ul>
 *
 * <p>Errors follow {@link MemoryAndCpuReader}: no cpuacct location, or none of the files above, gives an empty result;
 * a cgroup directory that does not exist (removed, even while being read) throws {@link CgroupException} of kind
 * {@code GONE}; content the kernel does not write (a wrong header, a non-numeric or negative field, a CPU number
 * given twice or at or above {@link CpuSet#MAX_CPUS}, totals that overflow a long) throws {@code MALFORMED};
 * other I/O errors throw {@code IO_ERROR}.
 */
public final class CpuAccounting {

    /** Nanoseconds of one USER_HZ tick: the kernel's {@code /proc} ABI fixes USER_HZ at 100 on every architecture. */
    public static final long NANOS_PER_TICK = 10_000_000L;

    private static final String USAGE_ALL = "cpuacct.usage_all";
    private static final String USAGE_PERCPU = "cpuacct.usage_percpu";
    private static final String STAT_V1 = "cpuacct.stat";
    private static final String STAT_V2 = "cpu.stat";

    private final LeafFiles leaf;

    /** Reads the files of the {@link Cgroup}s it is given. */
    public CpuAccounting() {
        this(CgroupFiles::readOrNull);
    }

    CpuAccounting(MemoryAndCpuReader.FileSource files) {
        this.leaf = new LeafFiles(files);
    }

    /**
     * The CPU time the cgroup and its descendants used: per CPU on v1, totals only on v2 (see the class comment).
     * Empty if there is no cpuacct location or the cgroup has none of the files.
     *
     * @throws CgroupException GONE, MALFORMED, IO_ERROR as described on the class
     */
    public Optional<CpuTimes> times(Cgroup cgroup) {
        Optional<Location> found = cgroup.cpuacct();
        if (found.isEmpty()) return Optional.empty();
        Location at = found.get();
        return at.version() == Version.V1 ? timesV1(at) : timesV2(at);
    }

    // ---------------------------------------------------------------- v1

    private Optional<CpuTimes> timesV1(Location at) {
        String all = leafOrNull(at, USAGE_ALL);
        if (all != null) return Optional.of(parseUsageAll(all, at.dir().resolve(USAGE_ALL)));
        String perCpu = leafOrNull(at, USAGE_PERCPU);
        if (perCpu == null) return Optional.empty();
        long[] totals = parsePerCpu(perCpu, at.dir().resolve(USAGE_PERCPU));
        String stat = leafOrNull(at, STAT_V1);
        long userTicks = 1;
        long systemTicks = 0;
        if (stat != null) {
            Path statFile = at.dir().resolve(STAT_V1);
            Map<String, String> fields = flatKeyed(stat);
            userTicks = counterField(fields, "user", -1, statFile);
            systemTicks = counterField(fields, "system", -1, statFile);
            if (userTicks < 0 || systemTicks < 0) throw malformed(statFile, stat, "no user or no system");
            if (userTicks == 0 && systemTicks == 0) userTicks = 1;
        }
        return Optional.of(split(totals, userTicks, systemTicks, at.dir().resolve(USAGE_PERCPU)));
    }

    /** {@code cpuacct.usage_all}: "cpu user system", then "N user system" per CPU. */
    static CpuTimes parseUsageAll(String text, Path file) {
        String[] lines = text.split("\n");
        // "\n".split gives no element at all: a file of blank lines has no header either
        if (lines.length == 0 || !Arrays.equals(tokens(lines[0]), new String[] {"cpu", "user", "system"})) {
            throw malformed(file, text, "no 'cpu user system' header");
        }
        long[] user = new long[0];
        long[] system = new long[0];
        boolean[] seen = new boolean[0];
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            String[] t = tokens(lines[i]);
            if (t.length != 3) throw malformed(file, lines[i], "not 'cpu user system'");
            int cpu = cpuNumber(t[0], file);
            if (cpu >= user.length) {
                int length = Math.max(cpu + 1, Math.min(CpuSet.MAX_CPUS, user.length * 2));
                user = Arrays.copyOf(user, length);
                system = Arrays.copyOf(system, length);
                seen = Arrays.copyOf(seen, length);
            }
            if (seen[cpu]) throw malformed(file, lines[i], "cpu" + cpu + " given twice");
            seen[cpu] = true;
            user[cpu] = parseCounter(t[1], file);
            system[cpu] = parseCounter(t[2], file);
        }
        int length = seen.length;
        while (length > 0 && !seen[length - 1]) length--;
        return perCpu(Arrays.copyOf(user, length), Arrays.copyOf(system, length), file, text);
    }

    /** {@code cpuacct.usage_percpu}: one total per CPU, separated by spaces, in CPU order. */
    static long[] parsePerCpu(String text, Path file) {
        String[] t = tokens(text);
        if (t.length > CpuSet.MAX_CPUS) throw malformed(file, text, "more than " + CpuSet.MAX_CPUS + " CPUs");
        long[] totals = new long[t.length];
        for (int cpu = 0; cpu < t.length; cpu++) totals[cpu] = parseCounter(t[cpu], file);
        return totals;
    }

    /**
     * Each CPU's total split in the ratio userTicks : systemTicks (user rounded down, system the rest, so the two
     * add up to the total exactly). {@code userTicks + systemTicks > 0}.
     */
    static CpuTimes split(long[] totals, long userTicks, long systemTicks, Path file) {
        long[] user = new long[totals.length];
        long[] system = new long[totals.length];
        BigInteger ticks = BigInteger.valueOf(userTicks).add(BigInteger.valueOf(systemTicks));
        for (int cpu = 0; cpu < totals.length; cpu++) {
            user[cpu] = scale(totals[cpu], userTicks, ticks);
            system[cpu] = totals[cpu] - user[cpu];
        }
        return perCpu(user, system, file, Arrays.toString(totals));
    }

    /** floor(value * numerator / denominator) for 0 &le; numerator &le; denominator, exact. */
    private static long scale(long value, long numerator, BigInteger denominator) {
        return BigInteger.valueOf(value).multiply(BigInteger.valueOf(numerator)).divide(denominator).longValueExact();
    }

    private static CpuTimes perCpu(long[] user, long[] system, Path file, String text) {
        try {
            return CpuTimes.ofPerCpu(user, system);
        } catch (IllegalArgumentException e) {
            throw malformed(file, text, e.getMessage());
        }
    }

    private static int cpuNumber(String token, Path file) {
        long cpu = parseCounter(token, file);
        if (cpu >= CpuSet.MAX_CPUS) throw malformed(file, token, "cpu number out of range");
        return (int) cpu;
    }

    private static String[] tokens(String line) {
        String s = line.strip();
        return s.isEmpty() ? new String[0] : s.split("\\s+");
    }

    // ---------------------------------------------------------------- v2

    private Optional<CpuTimes> timesV2(Location at) {
        String text = leafOrNull(at, STAT_V2);
        if (text == null) return Optional.empty();
        return Optional.of(parseCpuStat(text, at.dir().resolve(STAT_V2)));
    }

    /** v2 {@code cpu.stat}: user_usec and system_usec, both required. */
    static CpuTimes parseCpuStat(String text, Path file) {
        Map<String, String> fields = flatKeyed(text);
        long user = counterField(fields, "user_usec", -1, file);
        long system = counterField(fields, "system_usec", -1, file);
        if (user < 0 || system < 0) throw malformed(file, text, "no user_usec or no system_usec");
        if (user > Long.MAX_VALUE / 1000 || system > Long.MAX_VALUE / 1000) {
            throw malformed(file, text, "microseconds overflow nanoseconds");
        }
        return CpuTimes.ofTotals(user * 1000, system * 1000);
    }

    // ---------------------------------------------------------------- files (as MemoryAndCpuReader reads them)

    private String leafOrNull(Location at, String name) {
        return leaf.readOrNull(at, name);
    }
}
