package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.proclens.it.ProcFiles.kb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The views of issue 14 in real cgroups: memory a cgroup cannot reclaim is not available, and stat's task lines
 * count the cgroup's tasks only.
 */
@ExtendWith(ServedMount.class)
class ViewsIT {
    static final long MIB = 1024 * 1024;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    @Test
    @Tag(CgroupV2VmIT.LAYOUT)
    void twoHundredMiBInTmpfsLowersMemAvailableByAsMuch(Daemon daemon, @org.junit.jupiter.api.io.TempDir Path temp)
            throws Exception {
        Path tmpfs = temp.resolve("tmpfs");
        Files.createDirectories(tmpfs);
        Host.run("mount", "-t", "tmpfs", "-o", "size=300m", "proclens-test", tmpfs.toString());
        try (TestCgroup cgroup = TestCgroup.create(1024 * MIB, "0")) {
            String meminfo = daemon.file("proc/meminfo").toString();
            // one shell in the cgroup: read, write 200 MiB to tmpfs (charged to the cgroup as shmem), read again
            // after the daemon's snapshot cache (100 ms) has let go of the first reading
            String out = cgroup.run("sh", "-c", "cat " + meminfo + "; echo ----; dd if=/dev/zero of=" + tmpfs
                    + "/f bs=1M count=200 status=none; sleep 0.3; cat " + meminfo);
            String before = out.substring(0, out.indexOf("----"));
            String after = out.substring(out.indexOf("----"));
            long drop = kb(before, "MemAvailable") - kb(after, "MemAvailable");
            assertTrue(drop > 190 * 1024 && drop < 215 * 1024, "MemAvailable fell by " + drop + " kB, not about"
                    + " 204800:\n" + before + "\n" + after);
            assertTrue(kb(after, "Shmem") - kb(before, "Shmem") >= 200 * 1024, after);
            assertTrue(kb(after, "Cached") - kb(before, "Cached") >= 195 * 1024, "tmpfs is cache, as in the"
                    + " kernel's Cached:\n" + after);
            Files.delete(tmpfs.resolve("f"));
        } finally {
            Host.run("umount", tmpfs.toString());
        }
    }

    @Test
    void procsRunningCountsTheCgroupsBusyTasksOnly(Daemon daemon) throws Exception {
        String stat = daemon.file("proc/stat").toString();
        List<Process> spinners = new ArrayList<>();
        try (TestCgroup busy = TestCgroup.create(256 * MIB, "0-" + (cpus() - 1));
             TestCgroup idle = TestCgroup.create(256 * MIB, "0-" + (cpus() - 1));
             TestCgroup elsewhere = TestCgroup.create(256 * MIB, "0-" + (cpus() - 1))) {
            for (int i = 0; i < 2; i++) spinners.add(spin(busy));
            for (int i = 0; i < 3; i++) spinners.add(spin(elsewhere));
            Thread.sleep(300);
            // the readers wait for the daemon's answer (sleeping), so they do not count themselves, as they
            // would in the kernel's own file: busy shows its two spinners, idle none, and neither the others'
            int busyRunning = procs(busy.run("cat", stat), "procs_running");
            int idleRunning = procs(idle.run("cat", stat), "procs_running");
            assertTrue(busyRunning >= 2 && busyRunning <= 3, "busy cgroup: procs_running " + busyRunning);
            assertTrue(idleRunning <= 1, "idle cgroup: procs_running " + idleRunning);
            int hostRunning = procs(Files.readString(Path.of("/proc/stat")), "procs_running");
            assertTrue(hostRunning >= 5, "the host's own file counts all five spinners: " + hostRunning);
            assertEquals(0, procs(idle.run("cat", stat), "procs_blocked"));
        } finally {
            for (Process p : spinners) p.destroyForcibly().waitFor();
        }
    }

    @Test
    @Tag(CgroupV2VmIT.LAYOUT)
    void aOneCpuCpusetSeesOneCpuInEveryCountWithTheSysTreeBound(Daemon daemon) throws Exception {
        Host.assumeCommand("lscpu");
        int last = cpus() - 1; // the host's last CPU: the reader's cpu0 stands for it
        String coreId = Files.readString(Path.of("/sys/devices/system/cpu/cpu" + last + "/topology/core_id")).strip();
        try (TestCgroup cgroup = TestCgroup.create(256 * MIB, Integer.toString(last))) {
            // a mount namespace of its own, where the whole directory is bound as a container would have it
            String out = cgroup.run("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind " + daemon.file("sys/devices/system/cpu") + " /sys/devices/system/cpu"
                            + " && mount --bind " + daemon.file("sys/devices/system/node") + " /sys/devices/system/node"
                            + " && echo conf=$(getconf _NPROCESSORS_CONF) onln=$(getconf _NPROCESSORS_ONLN)"
                            + " all=$(nproc --all) && lscpu | grep -E '^(CPU\\(s\\)|On-line|Off-line|NUMA node0)'"
                            + " && echo nodes=$(cat /sys/devices/system/node/online)"
                            + " cpulist=$(cat /sys/devices/system/node/node0/cpulist)"
                            + " cpumap=$(cat /sys/devices/system/node/node0/cpumap)"
                            + " links=$(ls /sys/devices/system/node/node0 | grep -E '^cpu[0-9]+$' | tr '\\n' ' ')"
                            + " && grep MemTotal /sys/devices/system/node/node0/meminfo"
                            + " && echo dirs=$(ls /sys/devices/system/cpu | grep -E '^cpu[0-9]+$' | tr '\\n' ' ')"
                            + " && echo core=$(cat /sys/devices/system/cpu/cpu0/topology/core_id)"
                            + " && echo online=$(cat /sys/devices/system/cpu/online)"
                            + " possible=$(cat /sys/devices/system/cpu/possible)"
                            + " offline=[$(cat /sys/devices/system/cpu/offline)]");
            assertTrue(out.contains("conf=1 onln=1 all=1"), out);
            assertTrue(out.matches("(?s).*CPU\\(s\\): +1\n.*"), "lscpu: " + out);
            assertTrue(out.matches("(?s).*On-line CPU\\(s\\) list: +0\n.*"), "lscpu: " + out);
            assertTrue(!out.contains("Off-line"), "lscpu: " + out);
            assertTrue(out.contains("dirs=cpu0\n"), out);
            assertTrue(out.contains("core=" + coreId + "\n"), "cpu0 is host cpu" + last + "'s directory: " + out);
            assertTrue(out.contains("online=0 possible=0 offline=[]"), out);
            if (Files.isDirectory(Path.of("/sys/devices/system/node/node0"))) { // a kernel with NUMA, one node here
                assertTrue(out.contains("nodes=0 cpulist=0 cpumap=1 links=cpu0\n"), out);
                assertTrue(out.matches("(?s).*NUMA node0 CPU\\(s\\): +0\n.*"), "lscpu: " + out);
                assertTrue(out.matches("(?s).*Node 0 MemTotal: +262144 kB\n.*"), out);
            }
        }
    }

    @Test
    @Tag(CgroupV2VmIT.LAYOUT)
    void vmstatsPageFaultsAreTheCgroupsOwn(Daemon daemon) throws Exception {
        String vmstat = daemon.file("proc/vmstat").toString();
        try (TestCgroup cgroup = TestCgroup.create(512 * MIB, "0")) {
            // the cgroup's own counter (memory.stat) read before and after ours brackets it; dd's 100 MiB buffer
            // faults in between (in 4 KiB or, with transparent huge pages, 2 MiB pages)
            Path stat = cgroup.dirs.stream().map(d -> d.resolve("memory.stat")).filter(Files::exists).findFirst()
                    .orElseThrow();
            String key = cgroup.v2 ? "pgfault" : "total_pgfault";
            String out = cgroup.run("sh", "-c", "cat " + vmstat + "; echo ----; dd if=/dev/zero of=/dev/null bs=100M"
                    + " count=1 status=none; grep '^" + key + " ' " + stat + "; echo ----; sleep 0.3; cat " + vmstat
                    + "; echo ----; grep '^" + key + " ' " + stat);
            String[] parts = out.split("----\n");
            long before = number(parts[0], "pgfault");
            long cgroupBefore = number(parts[1], key);
            long after = number(parts[2], "pgfault");
            long cgroupAfter = number(parts[3], key);
            long host = number(Files.readString(Path.of("/proc/vmstat")), "pgfault");
            assertTrue(cgroupBefore <= after && after <= cgroupAfter, "ours " + after + " is the cgroup's, read between "
                    + cgroupBefore + " and " + cgroupAfter);
            assertTrue(after - before >= 50, "pgfault went from " + before + " to " + after + " over dd's 100 MiB");
            assertTrue(after < host / 2, "the cgroup's " + after + ", not the host's " + host);
            assertTrue(number(parts[2], "nr_anon_pages") < 512 * MIB / 4096,
                    "anon pages within the cgroup's limit");
        }
    }

    private static Process spin(TestCgroup cgroup) throws Exception {
        return new ProcessBuilder(cgroup.wrap(List.of("sh", "-c", "while :; do :; done"))).start();
    }

    /** The number of the "name number" line {@code name}. */
    private static int procs(String stat, String name) {
        return (int) Math.min(Integer.MAX_VALUE, number(stat, name));
    }

    private static long number(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) return Long.parseLong(line.substring(name.length() + 1).strip());
        }
        throw new AssertionError("no " + name + " in:\n" + text);
    }

    private static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }
}
