package io.proclens.fs;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader's cpuN directories: as many as its CPUs, numbered from 0, each the host directory of its CPU. */
class CpuDirectoriesTest {
    static final int ONE_CPU = 100;      // shown host CPU 2 alone
    static final int TWO_CPUS = 200;     // shown host CPUs 1 and 3
    static final int EVERY_CPU = 300;    // shown all four
    static final int UNRESOLVED = 400;   // shown the host's

    @TempDir
    Path root;
    ProcFs fs;
    long cpuDir;

    @BeforeEach
    void hostWithFourCpus() throws Exception {
        Path cpu = Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        for (int c = 0; c < 4; c++) {
            Files.createDirectories(cpu.resolve("cpu" + c + "/topology"));
            Files.writeString(cpu.resolve("cpu" + c + "/topology/core_id"), c + "\n");
        }
        Files.writeString(cpu.resolve("kernel_max"), "8191\n");
        Map<Integer, int[]> shown = Map.of(ONE_CPU, new int[] {2}, TWO_CPUS, new int[] {1, 3},
                EVERY_CPU, new int[] {0, 1, 2, 3});
        Renderer renderer = new Renderer() {
            @Override
            public MemorySegment render(VirtualFile file, int callerPid) {
                return Snapshots.of(("ours: " + file.path() + "\n").getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public int[] shownCpus(int callerPid) {
                return shown.get(callerPid);
            }
        };
        fs = new ProcFs(List.of(VirtualFile.values()), renderer, root);
        cpuDir = walk("sys/devices/system/cpu", 1).ino();
    }

    private NodeAttr walk(String path, int pid) throws FsException {
        return ReaderWalk.walk(fs, path, pid);
    }

    private String read(String path, int pid) throws FsException {
        return ReaderWalk.read(fs, path, pid);
    }

    private List<String> cpuNames(int pid) throws FsException {
        return fs.readdir(cpuDir, pid).stream().map(DirEntry::name).filter(CpuDirectories::isCpuName).toList();
    }

    @Test
    void aReaderListsOneDirectoryPerCpuItIsShown() throws FsException {
        assertEquals(List.of("cpu0"), cpuNames(ONE_CPU));
        assertEquals(List.of("cpu0", "cpu1"), cpuNames(TWO_CPUS));
        assertEquals(List.of("cpu0", "cpu1", "cpu2", "cpu3"), cpuNames(EVERY_CPU));
        assertEquals(List.of("cpu0", "cpu1", "cpu2", "cpu3"), cpuNames(UNRESOLVED), "the host's, as they are");
        List<String> all = fs.readdir(cpuDir, ONE_CPU).stream().map(DirEntry::name).toList();
        assertTrue(all.contains("kernel_max") && all.contains("online"), all.toString());
        assertEquals(all.stream().sorted().toList(), all.subList(0, all.size()), "sorted, as the host's");
    }

    @Test
    void eachCpuDirectoryIsTheHostDirectoryOfTheCpuItStandsFor() throws FsException {
        assertEquals("2\n", read("sys/devices/system/cpu/cpu0/topology/core_id", ONE_CPU));
        assertEquals("1\n", read("sys/devices/system/cpu/cpu0/topology/core_id", TWO_CPUS));
        assertEquals("3\n", read("sys/devices/system/cpu/cpu1/topology/core_id", TWO_CPUS));
        assertEquals("2\n", read("sys/devices/system/cpu/cpu2/topology/core_id", UNRESOLVED));
    }

    @Test
    void aCpuTheReaderIsNotShownIsNotThere() {
        FsException e = assertThrows(FsException.class, () -> fs.lookup(cpuDir, "cpu1", ONE_CPU));
        assertEquals(FsException.Failure.NOT_FOUND, e.failure());
        assertThrows(FsException.class, () -> fs.lookup(cpuDir, "cpu2", TWO_CPUS));
    }

    @Test
    void aNameThatMeansAnotherDirectoryToAnotherReaderIsNeverCachedNorShared() throws FsException {
        NodeAttr zeroOnHostTwo = fs.lookup(cpuDir, "cpu0", ONE_CPU);
        NodeAttr twoOnHostTwo = fs.lookup(cpuDir, "cpu2", EVERY_CPU);
        NodeAttr zeroOnHostZero = fs.lookup(cpuDir, "cpu0", EVERY_CPU);
        assertTrue(zeroOnHostTwo.perReader() && twoOnHostTwo.perReader() && zeroOnHostZero.perReader());
        // a directory inode under one name only: the same host directory shown as cpu0 and as cpu2 is two inodes
        assertNotEquals(zeroOnHostTwo.ino(), twoOnHostTwo.ino());
        assertNotEquals(zeroOnHostTwo.ino(), zeroOnHostZero.ino());
        assertEquals(zeroOnHostTwo.ino(), fs.lookup(cpuDir, "cpu0", ONE_CPU).ino(), "stable for the same pair");
        assertTrue(fs.getattr(zeroOnHostTwo.ino()).directory());
        assertFalse(fs.lookup(cpuDir, "cpu0", UNRESOLVED).perReader(), "the host's own keep the kernel's cache");
    }

    @Test
    void cpuNamesAreTheKernels() {
        for (String name : List.of("cpu0", "cpu7", "cpu63", "cpu8191")) assertTrue(CpuDirectories.isCpuName(name), name);
        for (String name : List.of("cpu", "cpu00", "cpu01", "cpufreq", "cpuidle", "cpu-1", "cpu1a", "cpu1234567"))
            assertFalse(CpuDirectories.isCpuName(name), name);
    }
}
