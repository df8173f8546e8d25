package io.proclens.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import io.proclens.cgroup.CgroupLayout.Hierarchy;
import io.proclens.cgroup.CgroupLayout.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupLayoutTest {

    private static final String LEAF = "process_api/547ee52e0a62869e25aaf7d9318afa5e";

    // ---- hybrid: the real mountinfo and /proc/self/cgroup of the machine the fixtures were copied from ----

    @Test
    void realHybridMachineIsHybridWithV1Controllers() {
        Path root = Fixtures.resource("hybrid/root");
        CgroupLayout layout = CgroupLayout.parse(Fixtures.text("hybrid/mountinfo"), root);

        assertEquals(Mode.HYBRID, layout.mode());
        Path cg = root.resolve("sys/fs/cgroup");
        assertEquals(new Hierarchy(Version.V1, cg.resolve("memory"), "/", Set.of("memory")),
                layout.hierarchyOf(Controller.MEMORY).orElseThrow());
        assertEquals(cg.resolve("cpu"), layout.hierarchyOf(Controller.CPU).orElseThrow().mountPoint());
        assertEquals(cg.resolve("cpuacct"), layout.hierarchyOf(Controller.CPUACCT).orElseThrow().mountPoint());
        assertEquals(cg.resolve("cpuset"), layout.hierarchyOf(Controller.CPUSET).orElseThrow().mountPoint());
        Hierarchy unified = layout.hierarchies().stream().filter(h -> h.version() == Version.V2).findFirst().orElseThrow();
        assertEquals(cg.resolve("unified"), unified.mountPoint());
        assertEquals(Set.of("hugetlb"), unified.controllers(), "read from unified/cgroup.controllers");
        assertTrue(layout.hierarchies().stream().anyMatch(h -> h.controllers().equals(Set.of("name=systemd"))));
    }

    @Test
    void realProcSelfCgroupOnHybridGivesV1Dirs() {
        Path root = Fixtures.resource("hybrid/root");
        CgroupLayout layout = CgroupLayout.parse(Fixtures.text("hybrid/mountinfo"), root);

        Cgroup cgroup = layout.cgroupOf(Fixtures.text("hybrid/proc-self-cgroup"));

        Path cg = root.resolve("sys/fs/cgroup");
        assertEquals(new Location(Version.V1, cg.resolve("memory").resolve(LEAF), cg.resolve("memory")),
                cgroup.memory().orElseThrow());
        assertTrue(Files.isDirectory(cgroup.memory().orElseThrow().dir()), "the fixture has the real leaf dir");
        assertEquals(new Location(Version.V1, cg.resolve("cpu"), cg.resolve("cpu")), cgroup.cpu().orElseThrow());
        assertEquals(new Location(Version.V1, cg.resolve("cpuacct"), cg.resolve("cpuacct")), cgroup.cpuacct().orElseThrow());
        assertEquals(new Location(Version.V1, cg.resolve("cpuset"), cg.resolve("cpuset")), cgroup.cpuset().orElseThrow());
    }

    @Test
    void hybridTakesAControllerFromV2OnlyWhenNoV1HierarchyHasIt(@TempDir Path root) {
        // memory is not mounted as v1 here; the unified hierarchy lists it
        String mountinfo = """
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:5 - cgroup cgroup rw,cpu,cpuacct
                34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime shared:6 - cgroup cgroup rw,cpuset
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:7 - cgroup2 cgroup2 rw,nsdelegate
                """;
        Fixtures.write(root.resolve("sys/fs/cgroup/unified/cgroup.controllers"), "cpuset memory pids\n");
        CgroupLayout layout = CgroupLayout.parse(mountinfo, root);

        Cgroup cgroup = layout.cgroupOf("""
                4:cpuset:/a
                3:cpu,cpuacct:/b
                0::/c/d
                """);

        assertEquals(Mode.HYBRID, layout.mode());
        Path unified = root.resolve("sys/fs/cgroup/unified");
        assertEquals(new Location(Version.V2, unified.resolve("c/d"), unified), cgroup.memory().orElseThrow());
        assertEquals(Version.V1, cgroup.cpuset().orElseThrow().version(), "v1 wins although unified lists cpuset");
        assertEquals(root.resolve("sys/fs/cgroup/cpuset/a"), cgroup.cpuset().orElseThrow().dir());
        assertEquals(root.resolve("sys/fs/cgroup/cpu,cpuacct/b"), cgroup.cpuacct().orElseThrow().dir());
    }

    // ---- pure v2 ----

    @Test
    void pureV2() {
        Path root = Fixtures.resource("v2/root");
        CgroupLayout layout = CgroupLayout.parse(Fixtures.text("v2/mountinfo"), root);

        assertEquals(Mode.V2, layout.mode());
        Cgroup cgroup = layout.cgroupOf(Fixtures.text("v2/proc-pid-cgroup"));
        Path cg = root.resolve("sys/fs/cgroup");
        Location expected = new Location(Version.V2, cg.resolve("system.slice/docker-4f1c2a.scope"), cg);
        for (Controller c : Controller.values()) {
            assertEquals(expected, cgroup.location(c).orElseThrow(), c.toString());
        }
    }

    @Test
    void v2RootLineGivesTheMountPoint() {
        Path root = Fixtures.resource("v2/root");
        CgroupLayout layout = CgroupLayout.parse(Fixtures.text("v2/mountinfo"), root);

        Cgroup cgroup = layout.cgroupOf("0::/\n");

        assertEquals(root.resolve("sys/fs/cgroup"), cgroup.memory().orElseThrow().dir());
    }

    @Test
    void v2ControllerNotInCgroupControllersIsAbsentButCpuacctIsThere(@TempDir Path root) {
        Fixtures.write(root.resolve("sys/fs/cgroup/cgroup.controllers"), "cpu io pids\n");
        CgroupLayout layout = CgroupLayout.parse(Fixtures.text("v2/mountinfo"), root);

        Cgroup cgroup = layout.cgroupOf("0::/x\n");

        assertFalse(cgroup.memory().isPresent());
        assertFalse(cgroup.cpuset().isPresent());
        assertTrue(cgroup.cpu().isPresent());
        assertTrue(cgroup.cpuacct().isPresent(), "cpu.stat usage_usec is there without any controller");
    }

    @Test
    void v2WithoutCgroupControllersFileHasOnlyCpuTimeAndTheUnifiedCgroup(@TempDir Path root) {
        CgroupLayout layout = CgroupLayout.parse(Fixtures.text("v2/mountinfo"), root);

        Cgroup cgroup = layout.cgroupOf("0::/x\n");

        assertEquals(Set.of(Controller.CPUACCT, Controller.UNIFIED), cgroup.locations().keySet());
    }

    @Test
    void onlyNamedV1HierarchiesBesideCgroup2IsV2() {
        String mountinfo = """
                40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """;
        assertEquals(Mode.V2, CgroupLayout.parse(mountinfo, Path.of("/nonexistent")).mode());
    }

    // ---- v1 with cpu,cpuacct co-mounted ----

    @Test
    void comountedCpuCpuacctIsV1WithOneDirForBoth() {
        Path root = Fixtures.resource("v1-comounted/root");
        CgroupLayout layout = CgroupLayout.parse(Fixtures.text("v1-comounted/mountinfo"), root);

        assertEquals(Mode.V1, layout.mode());
        Hierarchy cpu = layout.hierarchyOf(Controller.CPU).orElseThrow();
        assertEquals(Set.of("cpu", "cpuacct"), cpu.controllers(), "seclabel is a flag, not a controller");
        assertEquals(cpu, layout.hierarchyOf(Controller.CPUACCT).orElseThrow());
        assertEquals(root.resolve("sys/fs/cgroup/cpu,cpuacct"), cpu.mountPoint());

        Cgroup cgroup = layout.cgroupOf(Fixtures.text("v1-comounted/proc-pid-cgroup"));
        Path dir = root.resolve("sys/fs/cgroup/cpu,cpuacct/docker/abc");
        assertEquals(dir, cgroup.cpu().orElseThrow().dir());
        assertEquals(dir, cgroup.cpuacct().orElseThrow().dir());
        assertEquals(root.resolve("sys/fs/cgroup/memory/docker/abc"), cgroup.memory().orElseThrow().dir());
        assertEquals(root.resolve("sys/fs/cgroup/cpuset/docker/abc"), cgroup.cpuset().orElseThrow().dir());
    }

    @Test
    void v1IgnoresTheV2LineWhenNoCgroup2IsMounted() {
        Path root = Fixtures.resource("v1-comounted/root");
        CgroupLayout layout = CgroupLayout.parse(Fixtures.text("v1-comounted/mountinfo"), root);

        Cgroup cgroup = layout.cgroupOf("8:memory:/docker/abc\n0::/\n");

        assertEquals(Set.of(Controller.MEMORY), cgroup.locations().keySet());
    }

    // ---- mountinfo details ----

    @Test
    void escapedMountPointsAndRoots(@TempDir Path root) {
        String mountinfo = "50 31 0:40 /a\\040b\\134c /mnt/cg\\040roups/mem\\011ory rw - cgroup none rw,memory\n"
                + "51 31 0:41 / /mnt/caf\\303\\251 rw - cgroup cgroup rw,cpuset\n";
        CgroupLayout layout = CgroupLayout.parse(mountinfo, root);

        Hierarchy memory = layout.hierarchyOf(Controller.MEMORY).orElseThrow();
        assertEquals(root.resolve("mnt/cg roups/mem\tory"), memory.mountPoint());
        assertEquals("/a b\\c", memory.root());
        assertEquals(root.resolve("mnt/café"), layout.hierarchyOf(Controller.CPUSET).orElseThrow().mountPoint());

        Cgroup cgroup = layout.cgroupOf("4:memory:/a b\\c/child\n");
        assertEquals(root.resolve("mnt/cg roups/mem\tory/child"), cgroup.memory().orElseThrow().dir());
    }

    @Test
    void optionalFieldsOfAnyCount(@TempDir Path root) {
        String mountinfo = """
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:16 master:3 propagate_from:2 unbindable - cgroup cgroup rw,memory
                34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
                """;
        CgroupLayout layout = CgroupLayout.parse(mountinfo, root);

        assertEquals(root.resolve("sys/fs/cgroup/memory"), layout.hierarchyOf(Controller.MEMORY).orElseThrow().mountPoint());
        assertEquals(root.resolve("sys/fs/cgroup/cpuset"), layout.hierarchyOf(Controller.CPUSET).orElseThrow().mountPoint());
    }

    @Test
    void bindMountedSubtreeMakesPathsRelativeToItsRoot(@TempDir Path root) {
        // inside a docker container on a v1 host: the container's own cgroup is mounted as the hierarchy root
        String mountinfo = """
                1180 1179 0:32 /docker/0123abcd /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:16 - cgroup cgroup rw,memory
                1181 1179 0:31 /docker/0123abcd /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:15 - cgroup cgroup rw,cpu,cpuacct
                """;
        CgroupLayout layout = CgroupLayout.parse(mountinfo, root);
        Path memory = root.resolve("sys/fs/cgroup/memory");

        Cgroup own = layout.cgroupOf("4:memory:/docker/0123abcd\n3:cpu,cpuacct:/docker/0123abcd/sub\n");
        assertEquals(new Location(Version.V1, memory, memory), own.memory().orElseThrow());
        assertEquals(root.resolve("sys/fs/cgroup/cpu,cpuacct/sub"), own.cpu().orElseThrow().dir());

        Cgroup outside = layout.cgroupOf("4:memory:/docker/other\n3:cpu,cpuacct:/docker/0123abcdef\n");
        assertFalse(outside.memory().isPresent(), "not below the bind root: unreachable");
        assertFalse(outside.cpu().isPresent(), "a name that merely starts like the root is not below it");
    }

    @Test
    void aMountOfTheHierarchyRootWinsOverABindMount(@TempDir Path root) {
        String mountinfo = """
                60 31 0:32 /docker/x /var/lib/x/memory rw - cgroup cgroup rw,memory
                35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
                61 31 0:32 / /elsewhere/memory rw - cgroup cgroup rw,memory
                """;
        CgroupLayout layout = CgroupLayout.parse(mountinfo, root);

        Hierarchy memory = layout.hierarchyOf(Controller.MEMORY).orElseThrow();
        assertEquals(root.resolve("sys/fs/cgroup/memory"), memory.mountPoint());
        assertEquals(3, layout.hierarchies().size());
    }

    @Test
    void aNetworkNamespaceMountIsNoMalformedLine() {
        // docker exec and `ip netns` mount nsfs files, whose root is no path: a real kernel line
        String mountinfo = "118 26 0:4 net:[4026532178] /tmp/exec/netns/61034adb9d93 rw - nsfs nsfs rw\n"
                + "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";
        assertEquals(CgroupLayout.Mode.V1, CgroupLayout.parse(mountinfo, Path.of("/")).mode());
    }

    @Test
    void noCgroupMountedIsAnError() {
        String mountinfo = "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
                + "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n";
        CgroupException e = assertThrows(CgroupException.class, () -> CgroupLayout.parse(mountinfo, Path.of("/")));
        assertEquals(CgroupException.Kind.NO_CONTROLLER, e.kind());
    }

    @Test
    void malformedMountinfoLineIsAnError() {
        for (String line : new String[] {
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime cgroup cgroup rw,memory", // no separator
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup", // nothing after the type
                "garbage"}) {
            CgroupException e = assertThrows(CgroupException.class, () -> CgroupLayout.parse(line + "\n", Path.of("/")), line);
            assertEquals(CgroupException.Kind.MALFORMED, e.kind());
        }
    }

    // ---- /proc/PID/cgroup ----

    private static CgroupLayout hybrid() {
        return CgroupLayout.parse(Fixtures.text("hybrid/mountinfo"), Fixtures.resource("hybrid/root"));
    }

    private static CgroupLayout v2() {
        return CgroupLayout.parse(Fixtures.text("v2/mountinfo"), Fixtures.resource("v2/root"));
    }

    @Test
    void deletedV2CgroupLosesTheSuffix() {
        Cgroup cgroup = v2().cgroupOf("0::/system.slice/gone.scope (deleted)\n");

        assertEquals(Fixtures.resource("v2/root").resolve("sys/fs/cgroup/system.slice/gone.scope"),
                cgroup.memory().orElseThrow().dir());
    }

    @Test
    void pathsOutsideOurCgroupNamespaceAreUnreachable() {
        Cgroup cgroup = v2().cgroupOf("0::/../../system.slice/x.scope\n");

        assertTrue(cgroup.locations().isEmpty());
        assertEquals("", cgroup.key());
    }

    @Test
    void colonsInAPathAreKept() {
        Cgroup cgroup = hybrid().cgroupOf("4:memory:/a:b:c\n");

        assertTrue(cgroup.memory().orElseThrow().dir().endsWith("memory/a:b:c"));
    }

    @Test
    void emptyTextGivesNoController() {
        assertTrue(hybrid().cgroupOf("").locations().isEmpty());
    }

    @Test
    void firstLineForAControllerWins() {
        Cgroup cgroup = hybrid().cgroupOf("4:memory:/first\n5:memory:/second\n");

        assertTrue(cgroup.memory().orElseThrow().dir().endsWith("memory/first"));
    }

    @Test
    void malformedProcPidCgroupLines() {
        CgroupLayout layout = hybrid();
        for (String line : new String[] {"4:memory", "x:memory:/a", ":memory:/a", "4:memory:", "4:memory:relative"}) {
            CgroupException e = assertThrows(CgroupException.class, () -> layout.cgroupOf(line + "\n"), line);
            assertEquals(CgroupException.Kind.MALFORMED, e.kind(), line);
        }
    }

    @Test
    void keyIsStableAndTellsCgroupsApart() {
        CgroupLayout layout = hybrid();
        String text = Fixtures.text("hybrid/proc-self-cgroup");

        Cgroup a = layout.cgroupOf(text);
        Cgroup b = layout.cgroupOf(text);
        Cgroup other = layout.cgroupOf(text.replace("547ee52e0a62869e25aaf7d9318afa5e", "c1da713459bb13282660a42d867f23cc"));

        assertEquals(a.key(), b.key());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a.key(), other.key());
        assertNotEquals(a, other);
        Path cg = Fixtures.resource("hybrid/root").resolve("sys/fs/cgroup");
        assertEquals("memory=" + cg.resolve("memory/" + LEAF) + "\ncpuset=" + cg.resolve("cpuset")
                + "\ncpu=" + cg.resolve("cpu") + "\ncpuacct=" + cg.resolve("cpuacct") + "\nio=" + cg.resolve("blkio")
                + "\nunified=" + cg.resolve("unified"), a.key());
    }

    @Test
    void locationMustBeUnderItsRoot() {
        assertThrows(IllegalArgumentException.class,
                () -> new Location(Version.V1, Path.of("/a/b"), Path.of("/c")));
    }
}
