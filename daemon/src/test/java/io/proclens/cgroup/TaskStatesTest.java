package io.proclens.cgroup;

import static io.proclens.cgroup.Fixtures.assertThrowsKind;

import static io.proclens.cgroup.Cgroup.Controller.CPU;
import static io.proclens.cgroup.Cgroup.Controller.MEMORY;
import static io.proclens.cgroup.Cgroup.Controller.UNIFIED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proclens.cgroup.Cgroup.Location;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskStatesTest {
    TaskTree tree;
    TaskStates states;

    @BeforeEach
    void fakeProc(@TempDir Path temp) {
        tree = new TaskTree(temp);
        states = new TaskStates(tree.proc);
    }

    @Nested
    class V1 {
        Cgroup cgroup;

        @BeforeEach
        void container() {
            tree.list("cpu", "docker/c1", "tasks", 300, 301, 302, 303, 304, 305);
            cgroup = TaskTree.cgroup(CPU, tree.v1("cpu", "docker/c1"));
        }

        @Test
        void countsRunningAndUninterruptibleTasksOfTheCpuCgroup() {
            tree.task(300, "init", 'S').task(301, "worker", 'R').task(302, "worker", 'R')
                    .task(303, "flush", 'D').task(304, "zombie", 'Z').task(305, "kworker/0:1", 'I');

            assertEquals(new TaskCounts(2, 1, 6, 305), states.count(cgroup));
        }

        @Test
        void theStateIsAfterTheLastParenthesisOfTheCommandName() {
            // a command name may hold spaces and ')' (and look like the next fields): only the last ')' ends it
            tree.task(300, "a) R (b", 'S').task(301, "my prog (2)", 'R').task(302, ") D ", 'S')
                    .task(303, "x)", 'D').task(304, " ", 'R').task(305, "((", 'T');

            assertEquals(new TaskCounts(2, 1, 6, 305), states.count(cgroup));
        }

        @Test
        void vanishedTasksAreNotCountedAtAll() {
            // 303 and 305 exited between the list and their stat: not in the total, not the last pid
            tree.task(300, "init", 'S').task(301, "w", 'R').task(302, "w", 'D').task(304, "w", 'R');

            assertEquals(new TaskCounts(2, 1, 4, 304), states.count(cgroup));
        }

        @Test
        void allTasksVanished() {
            assertEquals(TaskCounts.NONE, states.count(cgroup));
        }

        @Test
        void theMemoryCgroupIsNotWhereTasksAreCounted() {
            tree.list("memory", "other", "tasks", 1);
            tree.task(1, "systemd", 'R');
            tree.task(300, "init", 'S');
            Cgroup both = TaskTree.cgroup(MEMORY, tree.v1("memory", "other"), CPU, tree.v1("cpu", "docker/c1"));

            assertEquals(new TaskCounts(0, 0, 1, 300), states.count(both));
        }
    }

    @Test
    void emptyCgroup() {
        tree.list("cpu", "empty", "tasks");

        assertEquals(TaskCounts.NONE, states.count(TaskTree.cgroup(CPU, tree.v1("cpu", "empty"))));
    }

    @Test
    void v2CountsCgroupThreads() {
        tree.list("unified", "system.slice/docker-1.scope", "cgroup.threads", 700, 701, 702);
        tree.list("unified", "system.slice/docker-1.scope", "tasks", 1); // not a v2 file: must not be read
        tree.task(700, "nginx", 'S').task(701, "nginx", 'R').task(702, "nginx", 'D').task(1, "init", 'R');
        Location at = tree.v2("unified", "system.slice/docker-1.scope");

        assertEquals(new TaskCounts(1, 1, 3, 702), states.count(TaskTree.cgroup(CPU, at, UNIFIED, at)));
        assertEquals(new TaskCounts(1, 1, 3, 702), states.count(TaskTree.cgroup(UNIFIED, at)));
    }

    @Test
    void hybridCountsTheV1CpuCgroupNotTheUnifiedOne() {
        tree.list("cpu", "docker/c1", "tasks", 300);
        tree.list("unified", "docker/c1", "cgroup.threads", 300, 301);
        tree.task(300, "a", 'R').task(301, "b", 'R');
        Cgroup hybrid = TaskTree.cgroup(CPU, tree.v1("cpu", "docker/c1"), UNIFIED, tree.v2("unified", "docker/c1"));

        assertEquals(new TaskCounts(1, 0, 1, 300), states.count(hybrid));
    }

    @Test
    void descendantsAreCounted() {
        // a system container: nothing in its own cgroup, its processes in slices and scopes below
        tree.list("unified", "lxc/c1", "cgroup.threads");
        tree.list("unified", "lxc/c1/init.scope", "cgroup.threads", 40);
        tree.list("unified", "lxc/c1/system.slice", "cgroup.threads");
        tree.list("unified", "lxc/c1/system.slice/cron.service", "cgroup.threads", 90, 91);
        tree.list("unified", "lxc/c1/user.slice/user-0.slice/session-1.scope/deep", "cgroup.threads", 95);
        tree.list("unified", "lxc/other", "cgroup.threads", 99); // a sibling: not ours
        tree.task(40, "systemd", 'S').task(90, "cron", 'R').task(91, "cron", 'D').task(95, "bash", 'R')
                .task(99, "other", 'R');

        assertEquals(new TaskCounts(2, 1, 4, 95), states.count(TaskTree.cgroup(UNIFIED, tree.v2("unified", "lxc/c1"))));
    }

    @Test
    void aTaskListLongerThanTheReadBufferIsCountedWhole() {
        int[] tids = IntStream.rangeClosed(100_000, 104_999).toArray(); // 35 kB: several reads, ids cut across them
        tree.list("cpu", "big", "tasks", tids);
        for (int tid : tids) tree.task(tid, "t", tid % 5 == 0 ? 'R' : 'S');

        assertEquals(new TaskCounts(1000, 0, 5000, 104_999), states.count(TaskTree.cgroup(CPU, tree.v1("cpu", "big"))));
    }

    @Test
    void aLastLineWithoutNewlineCounts() {
        Fixtures.write(tree.cgroupRoot.resolve("cpu/c/tasks"), "5\n6");
        tree.task(5, "a", 'R').task(6, "b", 'R');

        assertEquals(new TaskCounts(2, 0, 2, 6), states.count(TaskTree.cgroup(CPU, tree.v1("cpu", "c"))));
    }

    @Nested
    class Errors {
        @Test
        void noCpuAndNoUnifiedCgroup() {
            tree.list("memory", "c", "tasks", 1);
            assertThrowsKind(CgroupException.Kind.NO_CONTROLLER,
                    () -> states.count(TaskTree.cgroup(MEMORY, tree.v1("memory", "c"))));
        }

        @Test
        void removedCgroupIsGone() {
            assertThrowsKind(CgroupException.Kind.GONE,
                    () -> states.count(TaskTree.cgroup(CPU, tree.v1("cpu", "removed"))));
        }

        @Test
        void aDirectoryWithoutTaskListIsNoController() {
            Fixtures.write(tree.cgroupRoot.resolve("cpu/c/cpu.shares"), "1024\n");
            assertThrowsKind(CgroupException.Kind.NO_CONTROLLER,
                    () -> states.count(TaskTree.cgroup(CPU, tree.v1("cpu", "c"))));
        }

        @ParameterizedTest
        @ValueSource(strings = {"12 13\n", "abc\n", "0\n", "5\n\n6\n", "\n", "-5\n", "5000000\n", "99999999999\n",
                "5\r\n"})
        void malformedTaskList(String text) {
            Fixtures.write(tree.cgroupRoot.resolve("cpu/c/tasks"), text);
            tree.task(5, "a", 'R').task(6, "a", 'R').task(12, "a", 'R');
            assertThrowsKind(CgroupException.Kind.MALFORMED,
                    () -> states.count(TaskTree.cgroup(CPU, tree.v1("cpu", "c"))));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "5 (a R 1 2", "5 (a)", "5 (a) ", "5 (a)R 1", "5 (a) 1 2"})
        void malformedStat(String stat) {
            tree.list("cpu", "c", "tasks", 5);
            Fixtures.write(tree.proc.resolve("5/stat"), stat);
            assertThrowsKind(CgroupException.Kind.MALFORMED,
                    () -> states.count(TaskTree.cgroup(CPU, tree.v1("cpu", "c"))));
        }

        @Test
        void procRootMustExist(@TempDir Path temp) {
            assertThrows(IllegalArgumentException.class, () -> new TaskStates(temp.resolve("nothing")));
        }
    }

    @Test
    void stateLetterOfRealLines() {
        String line = TaskTree.statLine(1, "process_api", 'S');
        ByteBuffer buffer = ByteBuffer.wrap(line.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals('S', TaskStates.stateLetter(buffer, line.length(), Path.of("stat")));
        // a truncated read still holds the state: it follows the command name
        assertEquals('S', TaskStates.stateLetter(buffer, 20, Path.of("stat")));
    }

    @Test
    void countsAreTheSameFromAnotherThread() throws Exception {
        tree.list("cpu", "c", "tasks", IntStream.range(1, 50).toArray());
        IntStream.range(1, 50).forEach(t -> tree.task(t, "t" + t, t % 2 == 0 ? 'R' : 'D'));
        Cgroup cgroup = TaskTree.cgroup(CPU, tree.v1("cpu", "c"));
        TaskCounts here = states.count(cgroup);
        TaskCounts[] there = new TaskCounts[1];
        Thread thread = new Thread(() -> there[0] = states.count(cgroup));
        thread.start();
        thread.join();

        assertEquals(new TaskCounts(24, 25, 49, 49), here);
        assertEquals(here, there[0]);
    }
}
