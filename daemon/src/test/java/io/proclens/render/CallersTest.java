package io.proclens.render;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.cgroup.NoSuchProcessException;
import io.proclens.sys.Pidfds;
import io.proclens.cgroup.Processes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pid cache: reused for the same process, never for another process that got the same pid. */
class CallersTest {
    @TempDir
    Path root;

    private final AtomicLong clock = new AtomicLong();

    /** Now in clock ticks since boot: well after the fake processes started (tick 5000), unless a test says otherwise. */

    private final AtomicLong ticks = new AtomicLong(100_000);
    private Callers callers;
    private CgroupLayout layout;

    @BeforeEach
    void fakeProcAndCgroup2() throws Exception {
        Path proc = Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createSymbolicLink(proc.resolve("self/ns/pid"), Path.of("pid:[4026531836]"));
        Files.createDirectories(root.resolve("sys/fs/cgroup/a"));
        Files.createDirectories(root.resolve("sys/fs/cgroup/b"));
        Files.writeString(root.resolve("sys/fs/cgroup/cgroup.controllers"), "cpuset cpu io memory pids\n");
        process(100, 5000, "/a");
        layout = CgroupLayout.parse(
                "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n", root);
        callers = new Callers(new Processes(proc), layout, 100, 16, clock::get, ticks::get);
    }

    /** A process in our pid namespace with its start time and cgroup2 path. */
    private void process(int pid, long startTicks, String cgroup) throws Exception {
        Path dir = Files.createDirectories(root.resolve("proc/" + pid + "/ns"));
        Files.deleteIfExists(dir.resolve("pid"));
        Files.createSymbolicLink(dir.resolve("pid"), Path.of("pid:[4026531836]"));
        Files.writeString(root.resolve("proc/" + pid + "/stat"), pid + " (sh) S 1 " + pid + " " + pid
                + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + startTicks + " 0 0\n");
        Files.writeString(root.resolve("proc/" + pid + "/cgroup"), "0::" + cgroup + "\n");
    }

    /** The cgroup2 path the resolution found (the cgroup's unified directory, relative to the mount). */
    private String cgroupOf(int pid) {
        return root.resolve("sys/fs/cgroup").relativize(callers.resolve(pid).cgroup().unified().orElseThrow().dir())
                .toString();
    }

    @Test
    void theSameProcessIsServedFromTheCacheWithinTheTtl() throws Exception {
        Callers.Resolved first = callers.resolve(100);
        process(100, 5000, "/b"); // moved to another cgroup: seen after the ttl
        clock.addAndGet(99);
        assertSame(first, callers.resolve(100));
        clock.addAndGet(1);
        assertEquals("b", cgroupOf(100));
    }

    @Test
    void aReusedPidIsResolvedAfreshEvenWithinTheTtl() throws Exception {
        String before = cgroupOf(100);
        process(100, 7000, "/b"); // the old process died, a new one got pid 100 in another container's cgroup
        String after = cgroupOf(100);
        assertEquals("a", before);
        assertEquals("b", after);
        assertEquals(7000, callers.resolve(100).startTicks());
    }

    @Test
    void aReusedPidIsResolvedAfreshAlsoAfterItsCachedResolutionWasUsed() throws Exception {
        Callers.Resolved first = callers.resolve(100);
        assertSame(first, callers.resolve(100));
        process(100, 7000, "/b");
        Callers.Resolved second = callers.resolve(100);
        assertEquals(7000, second.startTicks());
        assertEquals("b", root.resolve("sys/fs/cgroup").relativize(second.cgroup().unified().orElseThrow().dir())
                .toString());
        assertSame(second, callers.resolve(100), "the new process's resolution is cached in turn");
    }

    @Test
    void pidsSharingASlotReplaceEachOtherAndAreNeverMixedUp() throws Exception {
        process(116, 9000, "/b"); // 116 = 100 + 16: the same slot of 16
        assertEquals("a", cgroupOf(100));
        assertEquals("b", cgroupOf(116));
        assertEquals("a", cgroupOf(100));
        assertEquals(116, callers.resolve(116).pid());
        assertEquals(1, callers.size());
    }

    @Test
    void aPidThatDoesNotExistOrVanishedIsNotResolvableAndLeavesTheOthersAlone() throws Exception {
        assertThrows(NoSuchProcessException.class, () -> callers.resolve(4242));
        assertThrows(NoSuchProcessException.class, () -> callers.resolve(0));
        Callers.Resolved cached = callers.resolve(100);
        process(101, 6000, "/b");
        callers.resolve(101);
        deleteTree(root.resolve("proc/101")); // exited after it was cached
        assertThrows(NoSuchProcessException.class, () -> callers.resolve(101));
        assertSame(cached, callers.resolve(100));
        process(101, 8000, "/a"); // and its pid is taken again
        assertEquals("a", cgroupOf(101));
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test
    void expiredResolutionsAreClearedByLaterMissesNotKeptUntilTheirSlotIsReused() throws Exception {
        Callers big = new Callers(new Processes(root.resolve("proc")), layout, 100, 1024, clock::get, ticks::get);
        for (int pid = 300; pid < 364; pid++) {
            process(pid, 1000 + pid, "/a");
            big.resolve(pid);
        }
        assertEquals(64, big.size());
        clock.addAndGet(1000); // every one expired: their processes may all have exited
        process(2000, 1500, "/b");
        for (int miss = 0; miss < 1024 / Callers.SWEEP; miss++) { // one lap of the sweep
            big.resolve(2000);
            clock.addAndGet(1000);
        }
        assertEquals(1, big.size(), "only the latest resolution stays");
    }

    @Test
    void boundedByCapacity() throws Exception {
        for (int pid = 200; pid < 240; pid++) {
            process(pid, 1000 + pid, "/a");
            callers.resolve(pid);
            clock.addAndGet(10);
        }
        assertEquals(true, callers.size() <= 16, "size " + callers.size());
    }

    @Test
    void aProcessStillInItsStartTickIsNotKeptSinceAReusedPidCouldShareTheTick() throws Exception {
        ticks.set(5001); // the process started at tick 5000: another one could start within the same tick
        assertEquals("a", cgroupOf(100));
        process(100, 5000, "/b"); // the pid reused by a process in another cgroup that started in the same tick
        assertEquals("b", cgroupOf(100), "a resolution made in its process's start tick is never reused");
        ticks.set(5002);
        assertEquals("b", cgroupOf(100));
        process(100, 5000, "/a");
        clock.addAndGet(1);
        assertEquals("b", cgroupOf(100), "two ticks later the resolution is kept (within the ttl)");
    }

    @Test
    void withAPidfdAHitAsksTheProcessNotItsStatAndItsExitEndsTheHit() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            int pid = (int) child.pid();
            process(pid, 5000, "/a");
            Pidfds pidfds = new Pidfds(8);
            Callers withPidfds = new Callers(new Processes(root.resolve("proc")), pidfds, layout, 100, 16, clock::get,
                    ticks::get);
            Callers.Resolved first = withPidfds.resolve(pid);
            assertEquals(1, pidfds.openCount(), "a kept resolution holds a descriptor of the real process");
            process(pid, 6000, "/b"); // its stat now says another process: a hit no longer reads it
            assertSame(first, withPidfds.resolve(pid));
            child.destroyForcibly().waitFor(); // exited and reaped: its pid is free for another process
            assertEquals("b", root.resolve("sys/fs/cgroup").relativize(
                    withPidfds.resolve(pid).cgroup().unified().orElseThrow().dir()).toString());
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void overItsBudgetAResolutionChecksTheStartTime() throws Exception {
        Pidfds none = new Pidfds(0);
        Callers withoutPidfds = new Callers(new Processes(root.resolve("proc")), none, layout, 100, 16, clock::get,
                ticks::get);
        Callers.Resolved first = withoutPidfds.resolve(100);
        assertSame(first, withoutPidfds.resolve(100));
        process(100, 6000, "/b");
        assertEquals("b", root.resolve("sys/fs/cgroup").relativize(
                withoutPidfds.resolve(100).cgroup().unified().orElseThrow().dir()).toString());
        assertEquals(0, none.openCount());
    }
}
