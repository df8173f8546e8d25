package io.proclens.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Against the fixture /proc (see resources cgroup/proc/README): host pids 1, 100, 150 (a containerd shim);
 * container A (pid namespace 4026532001): init 200 (comm "my (init) ) x", started at tick 5000), its child 201,
 * 300 docker-exec'd from the shim, and 210, the init of a namespace nested in A; container B (4026532002): init
 * 400, 401 exec'd; 500 in a namespace whose init is not visible.
 */
class ProcessesTest {
    private static final String HOST_CGROUP = "12:memory:/\n11:cpuset:/\n3:cpu,cpuacct:/user.slice\n"
            + "1:name=systemd:/user.slice/session-1.scope\n0::/user.slice/session-1.scope\n";

    @TempDir
    Path proc;
    Processes processes;

    @BeforeEach
    void setUp() {
        Fixtures.procTree(proc);
        processes = new Processes(proc);
    }

    private static String containerCgroup(String name) {
        return "12:memory:/docker/" + name + "\n11:cpuset:/docker/" + name + "\n3:cpu,cpuacct:/docker/" + name
                + "\n1:name=systemd:/docker/" + name + "\n0::/system.slice/docker-" + name + ".scope\n";
    }

    @Test
    void processInOurNamespaceIsItsOwnReaper() {
        assertEquals(new Caller(100, 100, false, 2000, HOST_CGROUP), processes.caller(100));
        assertEquals(0, processes.cachedNamespaces(), "nothing to cache for our own namespace");
    }

    @Test
    void childOfAContainerInitFindsItByItsParents() {
        assertEquals(new Caller(201, 200, true, 5000, containerCgroup("aaaa")), processes.caller(201));
    }

    @Test
    void dockerExecdProcessWithAParentOutsideFindsTheInitByScanning() {
        assertEquals(new Caller(300, 200, true, 5000, containerCgroup("aaaa")), processes.caller(300));
        assertEquals(new Caller(401, 400, true, 6000, containerCgroup("bbbb")), processes.caller(401));
    }

    @Test
    void containerInitIsItsOwnReaper() {
        assertEquals(new Caller(200, 200, true, 5000, containerCgroup("aaaa")), processes.caller(200));
    }

    @Test
    void initOfANestedNamespaceIsItsOwnReaper() {
        // 210's NSpid is "210 12 1": pid 1 of a namespace inside container A
        assertEquals(new Caller(210, 210, true, 7000, containerCgroup("aaaa")), processes.caller(210));
    }

    @Test
    void aHitDoesNotScanAgain() {
        processes.caller(300);
        assertEquals(1, processes.cachedNamespaces());
        // without status files nobody could be recognised as an init any more: only the cache can answer
        Fixtures.delete(proc.resolve("200/status"));
        Fixtures.delete(proc.resolve("201/status"));
        assertEquals(200, processes.caller(300).reaperPid());
        assertEquals(200, processes.caller(201).reaperPid());
    }

    @Test
    void aReusedPidNeverGivesAnotherNamespacesInit() {
        assertEquals(200, processes.caller(300).reaperPid());
        // container A's init exits; pid 200 is reused by a process of container B; A gets a new init, 250
        Fixtures.setPidNamespace(proc.resolve("200"), "pid:[4026532002]");
        Fixtures.write(proc.resolve("200/status"), Fixtures.read(proc.resolve("401/status")).replace("401", "200"));
        Fixtures.deleteTree(proc.resolve("201"));
        Fixtures.copy("proc/200", proc.resolve("250"));
        Fixtures.setPidNamespace(proc.resolve("250"), "pid:[4026532001]");
        Fixtures.delete(proc.resolve("250/ns_pid"));
        Fixtures.write(proc.resolve("250/stat"), Fixtures.read(proc.resolve("250/stat")).replace(" 5000 ", " 7777 "));

        Caller caller = processes.caller(300);

        assertEquals(250, caller.reaperPid());
        assertEquals(7777, caller.reaperStartTicks());
        assertEquals(400, processes.caller(401).reaperPid(), "B is not fooled by the cached entry either");
    }

    @Test
    void aRestartedInitWithTheSamePidIsFoundAgain() {
        assertEquals(5000, processes.caller(300).reaperStartTicks());
        // the same pid and namespace inode, but another process (started later): the cache must not keep 5000
        Fixtures.write(proc.resolve("200/stat"), Fixtures.read(proc.resolve("200/stat")).replace(" 5000 ", " 8888 "));

        assertEquals(8888, processes.caller(300).reaperStartTicks());
    }

    /** Makes 200, container A's init, a leader that exited (a zombie, PF_EXITING) with {@code threads} running on. */
    private void initsMainThreadExited(int... threads) {
        String live = Fixtures.read(proc.resolve("200/stat"));
        String zombie = live.replace(") S 150 200 200 0 -1 4194560 ", ") Z 150 200 200 0 -1 4194564 ");
        Fixtures.write(proc.resolve("200/stat"), zombie);
        Fixtures.write(proc.resolve("200/cgroup"), HOST_CGROUP.replaceAll(":/[^\n]*", ":/")); // what the kernel shows
        Fixtures.write(proc.resolve("200/task/200/stat"), zombie);
        Fixtures.write(proc.resolve("200/task/200/cgroup"), HOST_CGROUP.replaceAll(":/[^\n]*", ":/"));
        for (int tid : threads) {
            Fixtures.write(proc.resolve("200/task/" + tid + "/stat"), live.replace("200 (", tid + " ("));
            Fixtures.write(proc.resolve("200/task/" + tid + "/cgroup"), containerCgroup("aaaa"));
        }
    }

    @Test
    void anInitWhoseMainThreadExitedStandsForItsCgroupThroughALiveThread() {
        initsMainThreadExited(202, 203);
        Fixtures.write(proc.resolve("200/task/202/stat"), Fixtures.read(proc.resolve("200/task/202/stat"))
                .replace(" 4194560 ", " 4194564 ")); // 202 is exiting too: its cgroup would be the roots' as well
        Fixtures.write(proc.resolve("200/task/202/cgroup"), Fixtures.read(proc.resolve("200/cgroup")));

        assertEquals(new Caller(201, 200, true, 5000, containerCgroup("aaaa")), processes.caller(201));
        assertEquals(new Caller(300, 200, true, 5000, containerCgroup("aaaa")), processes.caller(300), "cached init");
    }

    @Test
    void anInitWithNoLiveThreadLeftGivesTheCallersOwnCgroup() {
        initsMainThreadExited();
        Fixtures.write(proc.resolve("201/cgroup"), containerCgroup("aaaa/worker"));

        assertEquals(new Caller(201, 200, true, 5000, containerCgroup("aaaa/worker")), processes.caller(201));
    }

    @Test
    void pruneDropsDeadNamespaces() {
        processes.caller(300);
        processes.caller(401);
        assertEquals(2, processes.cachedNamespaces());
        Fixtures.deleteTree(proc.resolve("400"));

        processes.prune();

        assertEquals(1, processes.cachedNamespaces());
    }

    @Test
    void aMissPrunesOnceTheCacheIsFull() {
        Processes small = new Processes(proc, 1);
        small.caller(300);
        Fixtures.deleteTree(proc.resolve("200"));
        Fixtures.deleteTree(proc.resolve("201"));

        small.caller(401); // a second namespace: over the limit, the dead one goes

        assertEquals(1, small.cachedNamespaces());
        assertEquals(400, small.caller(401).reaperPid());
    }

    @Test
    void vanishedPid() {
        NoSuchProcessException e = assertThrows(NoSuchProcessException.class, () -> processes.caller(4242));
        assertEquals(4242, e.pid());
        assertEquals(CgroupException.Kind.NO_SUCH_PROCESS, e.kind());
        assertThrows(NoSuchProcessException.class, () -> processes.caller(0));
        assertThrows(NoSuchProcessException.class, () -> processes.caller(-1));
    }

    @Test
    void pidWithoutStatOrCgroupIsVanished() {
        Fixtures.delete(proc.resolve("100/cgroup"));
        assertThrows(NoSuchProcessException.class, () -> processes.caller(100));
        Fixtures.delete(proc.resolve("100/stat"));
        assertThrows(NoSuchProcessException.class, () -> processes.caller(100));
    }

    @Test
    void namespaceWithoutAVisibleInit() {
        NoSuchProcessException e = assertThrows(NoSuchProcessException.class, () -> processes.caller(500));
        assertTrue(e.getMessage().contains("no init"), e.getMessage());
    }

    @Test
    void initVanishedAfterItWasCached() {
        processes.caller(300);
        Fixtures.deleteTree(proc.resolve("200"));
        Fixtures.deleteTree(proc.resolve("201"));
        assertThrows(NoSuchProcessException.class, () -> processes.caller(300));
        assertEquals(0, processes.cachedNamespaces(), "the stale entry was dropped");
    }

    @Test
    void malformedStatOfTheReaper() {
        Fixtures.write(proc.resolve("100/stat"), "100 (bash S 1 2 3\n");
        CgroupException e = assertThrows(CgroupException.class, () -> processes.caller(100));
        assertEquals(CgroupException.Kind.MALFORMED, e.kind());
    }

    @Test
    void concurrentCallersAgree() throws Exception {
        int[] pids = {100, 200, 201, 300, 400, 401, 210};
        int[] reapers = {100, 200, 200, 200, 400, 400, 210};
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<int[]>> results = new ArrayList<>();
            for (int round = 0; round < 200; round++) {
                int i = round % pids.length;
                results.add(pool.submit(() -> new int[] {i, processes.caller(pids[i]).reaperPid()}));
            }
            for (Future<int[]> result : results) {
                int[] r = result.get();
                assertEquals(reapers[r[0]], r[1], "reaper of " + pids[r[0]]);
            }
        }
        assertEquals(3, processes.cachedNamespaces());
    }

    @Test
    void ourNamespaceIsThatOfSelf() {
        assertEquals("pid:[4026531836]", processes.ourPidNamespace());
        assertEquals("pid:[4026532001]", processes.pidNamespace(300));
        assertThrows(NoSuchProcessException.class, () -> processes.pidNamespace(4242));
    }

    @Test
    void noSelfIsAClearError(@TempDir Path empty) {
        CgroupException e = assertThrows(CgroupException.class, () -> new Processes(empty));
        assertEquals(CgroupException.Kind.IO_ERROR, e.kind());
    }

    // ---- /proc/PID/stat and status parsing ----

    @Test
    void startTicksAfterTheLastParenthesis() {
        String stat = Fixtures.read(proc.resolve("200/stat"));
        assertTrue(stat.startsWith("200 (my (init) ) x) S 150 "), stat);
        assertEquals(5000, Processes.parseStartTicks(stat, Path.of("stat")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "1 (a b) S 0 0 0 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 42 3 4",
            "1 ()) S 0 0 0 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 42 3 4",
            "1 (x) S 0 0 0 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 42\n"})
    void startTicksOfOddCommandNames(String stat) {
        assertEquals(42, Processes.parseStartTicks(stat, Path.of("stat")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1 (x S 0", "1 (x) S 0 0 0", "1 (x) S 0 0 0 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 -42",
            "1 (x) S 0 0 0 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 soon"})
    void malformedStat(String stat) {
        CgroupException e = assertThrows(CgroupException.class, () -> Processes.parseStartTicks(stat, Path.of("stat")));
        assertEquals(CgroupException.Kind.MALFORMED, e.kind());
    }

    @Test
    void statusFields() {
        String status = "Name:\tx\nNStgid:\t5\t3\nPPid:\t17\nNSpid:\t300\t42\t1\n";
        assertEquals(1, Processes.innermostPid(status));
        assertEquals(17, Processes.parentPid(status));
        assertEquals(-1, Processes.innermostPid("Name:\told kernel\nPPid:\t1\n"));
        assertEquals(-1, Processes.parentPid("NSpid:\t1\n"));
    }
}
