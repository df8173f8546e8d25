package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.proclens.it.ProcFiles.kb;
import static io.proclens.it.ProcFiles.processors;
import static io.proclens.it.ProcFiles.uptime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file both serve, read by the same process in the same cgroup through LXCFS and through proclens, with
 * the same options. The cgroup: 256 MiB, every online CPU, a CFS quota of half a CPU. Equal where the numbers
 * come from limits; within a stated tolerance where counters move between the two reads; where proclens
 * deliberately differs (docs/lxcfs-differences.md), the difference itself is checked.
 */
@Tag(CgroupV2VmIT.LAYOUT)
class LxcfsDifferentialIT {
    static final long MIB = 1024 * 1024;
    static final List<String> FILES = List.of("proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/uptime",
            "proc/loadavg", "proc/diskstats", "proc/swaps", "proc/slabinfo", "sys/devices/system/cpu/online");
    /** stat: cgroup CPU time read a moment apart, in USER_HZ ticks. */
    static final long TICKS_TOLERANCE = 50;

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    @ParameterizedTest(name = "options: {0}")
    @ValueSource(strings = {"", "--enable-cfs", "--enable-loadavg"})
    void sameReaderSameCgroupSameAnswers(String option) throws Exception {
        String[] options = option.isEmpty() ? new String[0] : new String[]{option};
        String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).strip();
        try (Daemon proclens = Daemon.start(temp.resolve("proclens"), options);
             Lxcfs lxcfs = Lxcfs.start(temp.resolve("lxcfs"), options);
             TestCgroup cgroup = TestCgroup.create(256 * MIB, online, 50_000)) {
            StringBuilder script = new StringBuilder("sleep 0.5");
            for (String file : FILES) {
                script.append("; cat ").append(proclens.file(file)).append("; echo '#####'");
                script.append("; cat ").append(lxcfs.file(file)).append("; echo '#####'");
            }
            // Ours between two of LXCFS's: see ProcFiles.assertUptimeBetween.
            for (Path uptime : List.of(lxcfs.file("proc/uptime"), proclens.file("proc/uptime"), lxcfs.file("proc/uptime"))) {
                script.append("; cat ").append(uptime).append("; echo '#####'");
            }
            String[] parts = cgroup.run("unshare", "--pid", "--fork", "sh", "-c", script.toString()).split("#####\n", -1);
            Map<String, String[]> read = new LinkedHashMap<>();
            for (int i = 0; i < FILES.size(); i++) read.put(FILES.get(i), new String[]{parts[2 * i], parts[2 * i + 1]});
            read.forEach((file, both) -> System.out.println("== " + file + " " + option + "\n-- proclens:\n"
                    + head(both[0]) + "-- lxcfs:\n" + head(both[1])));

            int hostCpus = processors(Files.readString(Path.of("/proc/cpuinfo"))).size();
            int expectedCpus = option.equals("--enable-cfs") ? 1 : hostCpus;

            String[] meminfo = read.get("proc/meminfo");
            assertEquals(262144, kb(meminfo[0], "MemTotal"));
            assertEquals(kb(meminfo[1], "MemTotal"), kb(meminfo[0], "MemTotal"));
            assertEquals(kb(meminfo[1], "SwapTotal"), kb(meminfo[0], "SwapTotal"));

            String[] cpuinfo = read.get("proc/cpuinfo");
            assertEquals(processors(cpuinfo[1]), processors(cpuinfo[0]), "cpuinfo processors");
            assertEquals(expectedCpus, processors(cpuinfo[0]).size());

            String[] stat = read.get("proc/stat");
            List<long[]> ours = cpuLines(stat[0]);
            List<long[]> theirs = cpuLines(stat[1]);
            assertEquals(expectedCpus + 1, ours.size(), "cpu lines (aggregate + one per CPU)");
            for (long[] line : ours) for (long value : line) assertTrue(value >= 0, stat[0]);
            long ourBusy = ours.getFirst()[0] + ours.getFirst()[2];
            long theirBusy = theirs.getFirst()[0] + theirs.getFirst()[2];
            if (TestCgroup.pureV2()) {
                // LXCFS 5.0.3 has no cgroup CPU accounting on v2: it shows the host's lines, so the cgroup's
                // time (ours) is a small part of the host's (theirs).
                assertTrue(ourBusy <= theirBusy + TICKS_TOLERANCE, "proclens " + ourBusy + ", host " + theirBusy);
            } else {
                assertEquals(theirs.size(), ours.size(), "cpu lines (aggregate + one per CPU)");
                assertTrue(Math.abs(ourBusy - theirBusy) <= TICKS_TOLERANCE,
                        "cgroup user+system ticks: proclens " + ourBusy + ", lxcfs " + theirBusy);
            }
            assertEquals(line(stat[1], "btime"), line(stat[0], "btime"));

            ProcFiles.assertUptimeBetween(parts[2 * FILES.size()], parts[2 * FILES.size() + 1], parts[2 * FILES.size() + 2]);

            String[] loadavg = read.get("proc/loadavg");
            String[] ourLoad = loadavg[0].strip().split(" ");
            String[] theirLoad = loadavg[1].strip().split(" ");
            assertEquals(5, ourLoad.length, loadavg[0]);
            assertEquals(5, theirLoad.length, loadavg[1]);
            int ourTotal = Integer.parseInt(ourLoad[3].split("/")[1]);
            int theirTotal = Integer.parseInt(theirLoad[3].split("/")[1]);
            if (option.equals("--enable-loadavg")) {
                // The cgroup's own tasks: unshare, sh and cat, a moment apart.
                assertTrue(ourTotal < 10 && Math.abs(ourTotal - theirTotal) <= 2, loadavg[0] + " / " + loadavg[1]);
            } else {
                assertTrue(ourTotal > 10 && Math.abs(ourTotal - theirTotal) <= 50, "host's: " + loadavg[0] + " / " + loadavg[1]);
            }
            for (int i = 0; i < 3; i++) assertEquals(Double.parseDouble(theirLoad[i]), Double.parseDouble(ourLoad[i]), 1.0);

            // diskstats: LXCFS 5.0.3 reads only the CFQ files, gone since Linux 5.0, so it shows the host's file;
            // proclens shows the cgroup's own I/O: every device it lists is the host's, with no more I/O.
            String[] diskstats = read.get("proc/diskstats");
            Map<String, long[]> host = disks(diskstats[1]);
            disks(diskstats[0]).forEach((device, counts) -> {
                assertTrue(host.containsKey(device), device + " is not a host device");
                for (int i = 0; i < counts.length; i++) assertTrue(counts[i] <= host.get(device)[i] + 1000, device);
            });

            String[] swaps = read.get("proc/swaps");
            assertEquals(dataLines(swaps[1]), dataLines(swaps[0]), "swaps entries");

            String[] slabinfo = read.get("proc/slabinfo");
            assertEquals(slabinfo[1].lines().findFirst(), slabinfo[0].lines().findFirst(), "slabinfo header");

            String[] cpuOnline = read.get("sys/devices/system/cpu/online");
            assertEquals(expectedCpus == hostCpus ? online : "0", cpuOnline[0].strip());
            if (!option.equals("--enable-cfs")) assertEquals(cpuOnline[1], cpuOnline[0], "online");
        }
    }

    private static String head(String text) {
        return text.lines().limit(6).map(l -> l.length() > 120 ? l.substring(0, 120) + "..." : l)
                .reduce("", (a, b) -> a + b + "\n");
    }

    /** The numbers of the "cpu" and "cpuN" lines, in order. */
    static List<long[]> cpuLines(String stat) {
        List<long[]> lines = new ArrayList<>();
        for (String line : stat.split("\n")) {
            if (!line.startsWith("cpu")) continue;
            String[] fields = line.trim().split("\\s+");
            long[] numbers = new long[fields.length - 1];
            for (int i = 1; i < fields.length; i++) numbers[i - 1] = Long.parseLong(fields[i]);
            lines.add(numbers);
        }
        return lines;
    }

    static String line(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElse("(no " + name + ")");
    }

    /** diskstats by device name: the numbers after the name. */
    static Map<String, long[]> disks(String text) {
        Map<String, long[]> disks = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) continue;
            long[] numbers = new long[f.length - 3];
            for (int i = 3; i < f.length; i++) numbers[i - 3] = Long.parseLong(f[i]);
            disks.put(f[2], numbers);
        }
        return disks;
    }

    static List<String> dataLines(String swaps) {
        return swaps.lines().skip(1).map(l -> String.join(" ", l.trim().split("\\s+"))).toList();
    }
}
