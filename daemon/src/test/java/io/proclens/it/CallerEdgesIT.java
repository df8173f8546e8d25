package io.proclens.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.proclens.it.ProcFiles.kb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Callers at the edges, on a real mount with real cgroups: readers killed mid-open, readers that move to another
 * cgroup (or whose cgroup goes away) between open and read, pid namespaces that die and are replaced, and readers
 * that are threads but not their process's leader (also once the leader exited, also moved alone to another
 * cgroup).
 *
 * <p>Semantics these tests hold the daemon to: a file's content is rendered at open(2), for the cgroup the opener
 * is in then, and every read of that open file shows that one rendering (a move or a removed cgroup afterwards
 * changes nothing in it); a later open sees the new cgroup once the caller cache's and the snapshot cache's times
 * to live (100 ms each by default) are over; the view is that of the calling thread's own cgroup
 * (/proc/TID/cgroup), since FUSE names the calling thread; a container's view is its init's cgroup, through a live
 * thread of the init when its main thread has exited; a cgroup made again at a removed one's path starts afresh.
 */
class CallerEdgesIT {
    static final long MIB = 1024 * 1024;

    /**
     * A process whose second thread reads a file: prints "ready TID STATE" (STATE: the leader's state letter), waits
     * for a line on stdin (the test moves things meanwhile), reads the file through one open and prints "thread
     * TID", the file and "END"; then, unless the leader exited (argument "leader-exits": main calls pthread_exit
     * and stays a zombie while the thread runs), the leader reads it too ("leader TID", the file, "END"). With
     * "leader-exits-fork" the thread then forks a child that reads it ("child PID", the file, "END").
     */
    static final String THREADS_C = """
            #define _GNU_SOURCE
            #include <pthread.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <fcntl.h>
            #include <unistd.h>
            #include <sys/syscall.h>
            #include <sys/wait.h>

            static const char *path;
            static int leader_exits, fork_child;

            static void dump(const char *who) {
                static char buf[1 << 16];
                size_t len = 0;
                ssize_t n;
                int fd = open(path, O_RDONLY);
                if (fd < 0) { printf("%s %ld open failed\\nEND\\n", who, (long) syscall(SYS_gettid)); fflush(stdout); return; }
                while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) len += n;
                close(fd);
                buf[len] = 0;
                printf("%s %ld\\n%sEND\\n", who, (long) syscall(SYS_gettid), buf);
                fflush(stdout);
            }

            /* The leader thread's state letter: Z once it has exited while this thread still runs. */
            static char leader_state(void) {
                char name[64], stat[1024];
                snprintf(name, sizeof name, "/proc/self/task/%d/stat", getpid());
                FILE *f = fopen(name, "r");
                if (!f) return '?';
                size_t n = fread(stat, 1, sizeof stat - 1, f);
                fclose(f);
                stat[n] = 0;
                char *close = strrchr(stat, ')');
                return close && close[1] == ' ' ? close[2] : '?';
            }

            static void *reader(void *unused) {
                for (int i = 0; leader_exits && leader_state() != 'Z' && i < 5000; i++) usleep(1000);
                printf("ready %ld %c\\n", (long) syscall(SYS_gettid), leader_state());
                fflush(stdout);
                char line[16];
                if (!fgets(line, sizeof line, stdin)) exit(2);
                dump("thread");
                if (fork_child) {
                    pid_t child = fork();
                    if (child == 0) { dump("child"); _exit(0); }
                    waitpid(child, NULL, 0);
                }
                return unused;
            }

            int main(int argc, char **argv) {
                if (argc != 3) return 2;
                leader_exits = strncmp(argv[1], "leader-exits", 12) == 0;
                fork_child = strcmp(argv[1], "leader-exits-fork") == 0;
                path = argv[2];
                pthread_t t;
                if (pthread_create(&t, NULL, reader, NULL)) return 3;
                if (leader_exits) pthread_exit(NULL);
                pthread_join(t, NULL);
                dump("leader");
                return 0;
            }
            """;

    /** Starts readers of a file one after the other and kills each after 0-4 ms; prints "FINISHED KILLED". */
    static final String KILLED_READERS = """
            import random, subprocess, sys, time
            finished = killed = 0
            for i in range(int(sys.argv[2])):
                p = subprocess.Popen(['cat', sys.argv[1]], stdout=subprocess.DEVNULL)
                time.sleep(random.uniform(0, 0.004))
                p.kill()
                p.wait()
                if p.returncode == 0:
                    finished += 1
                else:
                    killed += 1
            print(finished, killed)
            """;

    /**
     * Opens a file, reads its first 64 bytes, prints "opened", waits for a line on stdin, reads the rest 64 bytes
     * at a time and prints all of it and "END"; then reopens it until its first line differs from that open's
     * (at most 5 s), printing the new file, "END" and "changed after MS" (or "unchanged").
     */
    static final String MOVING_READER = """
            import os, sys, time
            path = sys.argv[1]
            fd = os.open(path, os.O_RDONLY)
            data = os.read(fd, 64)
            print('opened', flush=True)
            sys.stdin.readline()
            while True:
                chunk = os.read(fd, 64)
                if not chunk:
                    break
                data += chunk
            os.close(fd)
            first = data.decode()
            print(first + 'END', flush=True)
            start = time.monotonic()
            while time.monotonic() - start < 5:
                with open(path) as f:
                    again = f.read()
                if again.split('\\n')[0] != first.split('\\n')[0]:
                    print(again + 'END')
                    print('changed after %d' % ((time.monotonic() - start) * 1000))
                    break
                time.sleep(0.005)
            else:
                print('unchanged')
            """;

    /** One daemon for all the tests (starting one takes seconds on a loaded machine); each test checks its log. */
    static Daemon daemon;
    @TempDir
    static Path mounts;
    @TempDir
    Path temp;

    @BeforeAll
    static void mount() throws Exception {
        Host.assumeRootWithFuse();
        daemon = Daemon.start(mounts.resolve("mnt"));
    }

    @AfterAll
    static void unmount() throws Exception {
        if (daemon != null) daemon.close();
    }

    // ---- 1: readers killed while their open is in flight ----

    @Test
    void readersKilledMidOpenLeaveTheDaemonServingRightViews() throws Exception {
        List<Process> readers = new ArrayList<>();
        try (TestCgroup cgroup = TestCgroup.create(256 * MIB, allCpus())) {
            String meminfo = daemon.file("proc/meminfo").toString();
            assertEquals(262144, kb(cgroup.run("cat", meminfo), "MemTotal"));
            long worker = daemon.workerPid();
            assertTrue(worker > 0, daemon.output());

            // The worker stopped: every reader's request waits in the kernel; half of them are killed there. Both
            // files looked up first: readers of a name whose lookup is in flight wait for it unkillably (the kernel's
            // d_alloc_parallel), only a request that waits to be read by the daemon can be given up.
            String uptime = daemon.file("proc/uptime").toString();
            cgroup.run("cat", meminfo, uptime);
            Host.run("kill", "-STOP", Long.toString(worker));
            try {
                for (int i = 0; i < 20; i++) {
                    String file = i % 4 == 0 ? meminfo : uptime;
                    readers.add(new ProcessBuilder(cgroup.wrap(List.of("cat", file))).redirectErrorStream(true).start());
                }
                // until every reader waits for its request's answer (fs/fuse's request_wait_answer), at most 10 s
                List<String> waits = new ArrayList<>();
                for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; Thread.sleep(50)) {
                    waits.clear();
                    for (Process reader : readers) waits.add(Files.readString(Path.of("/proc/" + reader.pid() + "/wchan")));
                    if (waits.stream().allMatch("request_wait_answer"::equals)) break;
                }
                assertTrue(waits.stream().allMatch("request_wait_answer"::equals), "readers wait in " + waits);
                for (int i = 1; i < readers.size(); i += 2) readers.get(i).destroyForcibly();
                for (int i = 1; i < readers.size(); i += 2) {
                    assertTrue(readers.get(i).waitFor(10, TimeUnit.SECONDS), "a reader killed mid-open did not exit");
                }
            } finally {
                Host.run("kill", "-CONT", Long.toString(worker));
            }
            for (int i = 0; i < readers.size(); i += 2) {
                Process reader = readers.get(i);
                assertTrue(reader.waitFor(20, TimeUnit.SECONDS), "a reader whose open waited did not finish");
                String out = new String(reader.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, reader.exitValue(), out);
                if (i % 4 == 0) assertEquals(262144, kb(out, "MemTotal"), out);
                else ProcFiles.uptime(out);
            }

            // Readers killed at any point of their exec, open or read: each a new process, killed after 0-4 ms.
            if (Host.hasCommand("python3")) {
                long started = System.nanoTime();
                String[] counts = cgroup.run("python3", "-c", KILLED_READERS, meminfo, "300").strip().split(" ");
                System.out.printf("CallerEdgesIT: 300 readers killed after 0-4 ms: %s had read the file, %s were killed"
                        + " before, in %.1f s%n", counts[0], counts[1], (System.nanoTime() - started) / 1e9);
                assertTrue(Integer.parseInt(counts[1]) > 0, "no reader was killed");
            }

            assertEquals(worker, daemon.workerPid(), "the worker was replaced: " + daemon.output());
            for (int i = 0; i < 5; i++) assertEquals(262144, kb(cgroup.run("cat", meminfo), "MemTotal"));
            assertNotEquals(262144, kb(Files.readString(Path.of(meminfo)), "MemTotal"), "the test, outside the cgroup");
            assertNoErrors(daemon);
        } finally {
            for (Process reader : readers) {
                reader.destroyForcibly();
                reader.waitFor();
            }
        }
    }

    // ---- 2: a reader that moves to another cgroup between open and read ----

    @Test
    void aReaderMovedBetweenOpenAndReadReadsWhatItOpenedAndAReopenSeesItsNewCgroup() throws Exception {
        Assumptions.assumeTrue(Host.hasCommand("python3"), "needs python3");
        try (TestCgroup from = TestCgroup.create(128 * MIB, allCpus());
             TestCgroup to = TestCgroup.create(256 * MIB, allCpus())) {
            String meminfo = daemon.file("proc/meminfo").toString();
            int lines = Host.lines(from.run("cat", meminfo)).size();
            Process reader = new ProcessBuilder(from.wrap(List.of("python3", "-c", MOVING_READER, meminfo)))
                    .redirectErrorStream(true).start();
            try (BufferedReader out = reader.inputReader(); OutputStream in = reader.getOutputStream()) {
                assertEquals("opened", out.readLine());
                moveProcess(reader.pid(), to);
                assertEquals(256 * MIB / 1024, kb(memoryLimitOf(reader.pid()), "limit"), "the move did not happen");
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();

                String opened = untilEnd(out);
                assertEquals(131072, kb(opened, "MemTotal"), "the open file shows the cgroup it was opened in:\n" + opened);
                assertWholeMeminfo(opened, lines);
                String reopened = untilEnd(out);
                assertEquals(262144, kb(reopened, "MemTotal"), reopened);
                assertWholeMeminfo(reopened, lines);
                String changed = out.readLine();
                assertTrue(changed != null && changed.startsWith("changed after "), changed);
                long millis = Long.parseLong(changed.substring("changed after ".length()));
                System.out.println("CallerEdgesIT: a reader moved to another cgroup saw it on a reopen after " + millis + " ms");
                // the caller cache and the snapshot cache keep 100 ms each; a loaded machine adds some
                assertTrue(millis < 2000, "a reopen saw the new cgroup only after " + millis + " ms");
            } finally {
                reader.destroyForcibly();
                reader.waitFor();
            }
            assertNoErrors(daemon);
        }
    }

    // ---- 3: the cgroup of an open file removed before the read ----

    @Test
    void aCgroupRemovedWhileItsFileIsOpenLeavesTheOpenFileWholeAndTheDaemonServing() throws Exception {
        Assumptions.assumeTrue(Host.hasCommand("python3"), "needs python3");
        try (TestCgroup doomed = TestCgroup.create(160 * MIB, allCpus());
             TestCgroup refuge = TestCgroup.create(256 * MIB, allCpus())) {
            String meminfo = daemon.file("proc/meminfo").toString();
            int lines = Host.lines(refuge.run("cat", meminfo)).size();
            Process reader = new ProcessBuilder(doomed.wrap(List.of("python3", "-c", MOVING_READER, meminfo)))
                    .redirectErrorStream(true).start();
            try (BufferedReader out = reader.inputReader(); OutputStream in = reader.getOutputStream()) {
                assertEquals("opened", out.readLine());
                moveProcess(reader.pid(), refuge);
                doomed.close(); // rmdir of every controller's directory
                for (Path dir : doomed.dirs) assertFalse(Files.exists(dir), dir + " was not removed");
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();

                String opened = untilEnd(out);
                assertEquals(163840, kb(opened, "MemTotal"), "the removed cgroup's file, as opened:\n" + opened);
                assertWholeMeminfo(opened, lines);
                String reopened = untilEnd(out);
                assertEquals(262144, kb(reopened, "MemTotal"), reopened);
            } finally {
                reader.destroyForcibly();
                reader.waitFor();
            }
            assertEquals(262144, kb(refuge.run("cat", meminfo), "MemTotal"));
            assertNoErrors(daemon);
        }
    }

    /**
     * A cgroup removed and made again at the same path (a restarted LXC container, a `docker restart`, a systemd
     * service): its /proc/stat starts again from the new cgroup's CPU time, not from the old one's, which the
     * numbers kept monotonic between reads must not carry over.
     */
    @Test
    void aCgroupMadeAgainAtTheSamePathStartsItsStatAfresh() throws Exception {
        TestCgroup cgroup = TestCgroup.create(256 * MIB, allCpus());
        try {
            String stat = daemon.file("proc/stat").toString();
            String burn = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; cat \"$1\"";
            long before = busyTicks(cgroup.run("sh", "-c", burn, "sh", stat));
            assertTrue(before >= 20, "the cgroup used " + before + " ticks of CPU: too few to tell");
            cgroup.close();
            for (Path dir : cgroup.dirs) assertFalse(Files.exists(dir), dir + " was not removed");
            remake(cgroup, 256 * MIB);
            Thread.sleep(250); // past the snapshot cache's 100 ms, which keys a file by the cgroup's path
            long after = busyTicks(cgroup.run("cat", stat));
            System.out.println("CallerEdgesIT: a cgroup made again at its path: " + before + " ticks busy before, "
                    + after + " after");
            assertTrue(after < before / 2, "the new cgroup's /proc/stat shows " + after + " busy ticks, the removed one's "
                    + before);
        } finally {
            cgroup.close();
        }
        assertNoErrors(daemon);
    }

    /** user + nice + system of /proc/stat's "cpu" line. */
    private static long busyTicks(String stat) {
        String[] cpu = stat.lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow().trim().split("\\s+");
        return Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]);
    }

    /** Makes a removed test cgroup's directories again, with the same memory limit and all CPUs. */
    private static void remake(TestCgroup cgroup, long memoryLimit) throws IOException {
        for (Path dir : cgroup.dirs) {
            Files.createDirectory(dir);
            if (Files.exists(dir.resolve("cpuset.mems"))) {
                String mems = cgroup.v2 ? null : Files.readString(dir.getParent().resolve("cpuset.mems")).strip();
                if (mems != null) Files.writeString(dir.resolve("cpuset.mems"), mems);
                Files.writeString(dir.resolve("cpuset.cpus"), allCpus());
            }
            if (Files.exists(dir.resolve("memory.limit_in_bytes"))) {
                Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(memoryLimit));
            }
            if (Files.exists(dir.resolve("memory.max"))) Files.writeString(dir.resolve("memory.max"), Long.toString(memoryLimit));
        }
    }

    // ---- 4: a pid namespace whose init died, and a new one after it ----

    @Test
    void aNewPidNamespaceAfterTheOldOnesInitDiedHasItsOwnUptimeAndCgroup() throws Exception {
        Assumptions.assumeTrue(Host.hasCommand("unshare"), "needs unshare (util-linux)");
        try (TestCgroup old = TestCgroup.create(128 * MIB, allCpus());
             TestCgroup young = TestCgroup.create(256 * MIB, allCpus())) {
            String script = "sleep \"$2\"; readlink /proc/self/ns/pid; cat \"$1/proc/uptime\"; grep MemTotal \"$1/proc/meminfo\"";
            String mnt = daemon.mountpoint.toString();
            int reusedInodes = 0;
            for (int round = 0; round < 3; round++) {
                // an init that lives 1.2 s, then a new namespace read at once: once the dead one is freed (an RCU
                // grace period) its inode number is usually the next one handed out
                String[] a = namespaceRead(old, script, mnt, "1.2");
                Thread.sleep(100);
                String[] b = namespaceRead(young, script, mnt, "0");
                if (a[0].equals(b[0])) reusedInodes++;
                double oldUptime = ProcFiles.uptime(a[1])[0];
                double youngUptime = ProcFiles.uptime(b[1])[0];
                assertTrue(oldUptime >= 1.15 && oldUptime < 30, "uptime of a namespace whose init lived 1.2 s: " + a[1]);
                assertTrue(youngUptime < 1.0, "uptime of a new namespace (" + b[0] + ", the one before " + a[0]
                        + "): " + b[1]);
                assertEquals(131072, kb(a[2], "MemTotal"), a[2]);
                assertEquals(262144, kb(b[2], "MemTotal"), b[2]);
            }
            System.out.println("CallerEdgesIT: pid namespaces: 3 dead ones, their inode number taken by the next one "
                    + reusedInodes + " times");
            assertNoErrors(daemon);
        }
    }

    /** Runs {@code script} as the init's child of a new pid namespace in {@code cgroup}: [ns link, uptime, MemTotal]. */
    private static String[] namespaceRead(TestCgroup cgroup, String script, String mnt, String sleep) throws Exception {
        String out = cgroup.run("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script, "sh", mnt, sleep);
        List<String> lines = Host.lines(out);
        assertEquals(3, lines.size(), out);
        assertTrue(lines.get(0).startsWith("pid:["), out);
        return lines.toArray(String[]::new);
    }

    // ---- 5: readers that are threads, not their process's leader ----

    @Test
    void aThreadReadingAfterItsLeaderExitedSeesItsCgroup() throws Exception {
        Path threads = compileThreads();
        try (TestCgroup cgroup = TestCgroup.create(256 * MIB, allCpus())) {
            String meminfo = daemon.file("proc/meminfo").toString();
            Process process = new ProcessBuilder(cgroup.wrap(List.of(threads.toString(), "leader-exits", meminfo)))
                    .redirectErrorStream(true).start();
            try (BufferedReader out = process.inputReader(); OutputStream in = process.getOutputStream()) {
                String[] ready = out.readLine().split(" ");
                assertEquals("ready", ready[0], String.join(" ", ready));
                assertEquals("Z", ready[2], "the leader is a zombie while its thread reads");
                assertNotEquals(Long.toString(process.pid()), ready[1], "the reader is not the leader");
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                assertEquals("thread " + ready[1], out.readLine());
                String view = untilEnd(out);
                assertEquals(262144, kb(view, "MemTotal"), view);
                assertTrue(process.waitFor(10, TimeUnit.SECONDS));
                assertEquals(0, process.exitValue());
            } finally {
                process.destroyForcibly();
                process.waitFor();
            }
            assertNoErrors(daemon);
        }
    }

    /**
     * A container whose init's main thread exited while another of its threads runs on (the kernel makes that thread
     * the namespace's reaper): the init's /proc/PID/cgroup then names the root of every v1 hierarchy, but the
     * container's processes are still in its cgroup and must see it, not the host's numbers.
     */
    @Test
    void aContainerWhoseInitsMainThreadExitedSeesItsCgroup() throws Exception {
        Assumptions.assumeTrue(Host.hasCommand("unshare"), "needs unshare (util-linux)");
        Path threads = compileThreads();
        try (TestCgroup cgroup = TestCgroup.create(256 * MIB, allCpus())) {
            String meminfo = daemon.file("proc/meminfo").toString();
            Process process = new ProcessBuilder(cgroup.wrap(List.of("unshare", "--pid", "--fork", "--mount-proc",
                    threads.toString(), "leader-exits-fork", meminfo))).redirectErrorStream(true).start();
            try (BufferedReader out = process.inputReader(); OutputStream in = process.getOutputStream()) {
                String[] ready = out.readLine().split(" ");
                assertEquals(List.of("ready", "2", "Z"), List.of(ready), "the init's second thread (pid 2 in the "
                        + "namespace) reads while the init's leader is a zombie");
                assertInitsThreadAndChildSee256MiB(process, out, in);
            } finally {
                process.destroyForcibly();
                process.waitFor();
            }
            assertNoErrors(daemon);
        }
    }

    /**
     * The same container, its init's live thread moved alone to another cgroup and the cgroup the zombie leader is
     * left in removed: the container sees the cgroup its processes are in.
     */
    @Test
    void aContainerWhoseInitsLeaderIsLeftInARemovedCgroupSeesTheCgroupItsThreadsAreIn() throws Exception {
        Assumptions.assumeTrue(Host.hasCommand("unshare"), "needs unshare (util-linux)");
        Assumptions.assumeFalse(TestCgroup.pureV2(), "cgroup v2 moves single threads only in threaded cgroups, "
                + "which have no memory controller");
        Path threads = compileThreads();
        try (TestCgroup removed = TestCgroup.create(128 * MIB, allCpus());
             TestCgroup kept = TestCgroup.create(256 * MIB, allCpus())) {
            String meminfo = daemon.file("proc/meminfo").toString();
            Process process = new ProcessBuilder(removed.wrap(List.of("unshare", "--pid", "--fork", "--mount-proc",
                    threads.toString(), "leader-exits-fork", meminfo))).redirectErrorStream(true).start();
            try (BufferedReader out = process.inputReader(); OutputStream in = process.getOutputStream()) {
                assertEquals("ready 2 Z", out.readLine());
                long init = process.toHandle().children().findFirst().orElseThrow().pid();
                moveProcess(process.pid(), kept); // unshare, waiting for the init
                try (var tasks = Files.list(Path.of("/proc/" + init + "/task"))) {
                    for (Path task : tasks.toList()) {
                        if (task.getFileName().toString().equals(Long.toString(init))) continue;
                        for (Path dir : kept.dirs) Files.writeString(dir.resolve("tasks"), task.getFileName().toString());
                    }
                }
                removed.close();
                for (Path dir : removed.dirs) assertFalse(Files.exists(dir), dir + " was not removed (a zombie is left in it)");
                assertInitsThreadAndChildSee256MiB(process, out, in);
            } finally {
                process.destroyForcibly();
                process.waitFor();
            }
            assertNoErrors(daemon);
        }
    }

    @Test
    void aThreadMovedAloneToAnotherMemoryCgroupSeesItsOwnCgroupAndItsLeaderTheOld() throws Exception {
        Assumptions.assumeFalse(TestCgroup.pureV2(), "cgroup v2 moves single threads only in threaded cgroups, "
                + "which have no memory controller; v1's tasks file is what lets a thread move alone");
        Path threads = compileThreads();
        try (TestCgroup leaders = TestCgroup.create(128 * MIB, allCpus());
             TestCgroup own = TestCgroup.create(256 * MIB, allCpus())) {
            String meminfo = daemon.file("proc/meminfo").toString();
            Process process = new ProcessBuilder(leaders.wrap(List.of(threads.toString(), "leader-reads", meminfo)))
                    .redirectErrorStream(true).start();
            try (BufferedReader out = process.inputReader(); OutputStream in = process.getOutputStream()) {
                String[] ready = out.readLine().split(" ");
                assertEquals("ready", ready[0], String.join(" ", ready));
                long tid = Long.parseLong(ready[1]);
                assertNotEquals(process.pid(), tid);
                for (Path dir : own.dirs) Files.writeString(dir.resolve("tasks"), Long.toString(tid));
                assertEquals(256 * MIB / 1024, kb(memoryLimitOf(tid), "limit"), "the thread did not move alone");
                assertEquals(128 * MIB / 1024, kb(memoryLimitOf(process.pid()), "limit"), "the leader moved too");
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                assertEquals("thread " + tid, out.readLine());
                String threadView = untilEnd(out);
                assertEquals("leader " + process.pid(), out.readLine());
                String leaderView = untilEnd(out);
                assertEquals(262144, kb(threadView, "MemTotal"), "the thread's own cgroup:\n" + threadView);
                assertEquals(131072, kb(leaderView, "MemTotal"), "the leader's cgroup:\n" + leaderView);
                assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            } finally {
                process.destroyForcibly();
                process.waitFor();
            }
            assertNoErrors(daemon);
        }
    }

    // ---- helpers ----

    /** The threads program, compiled with the machine's C compiler; skips the test without one. */
    private Path compileThreads() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Host.hasCommand("cc"), "needs a C compiler (cc) for the multi-threaded reader");
        Path source = temp.resolve("threads.c");
        Files.writeString(source, THREADS_C);
        Path binary = temp.resolve("threads");
        Host.Result cc = Host.run("cc", "-O", "-pthread", "-o", binary.toString(), source.toString());
        assertEquals(0, cc.status(), cc.output());
        return binary;
    }

    /** Moves process {@code pid} (all its threads) into every controller's directory of {@code cgroup}. */
    private static void moveProcess(long pid, TestCgroup cgroup) throws IOException {
        for (Path dir : cgroup.dirs) Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** "limit N kB": the memory limit of the cgroup /proc/TID/cgroup names (v1 memory or v2), for checking a move. */
    private static String memoryLimitOf(long tid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/cgroup"))) {
            String[] parts = line.split(":", 3);
            Path file = null;
            if (parts[0].equals("0") && TestCgroup.pureV2()) file = TestCgroup.ROOT.resolve(parts[2].substring(1)).resolve("memory.max");
            else if (List.of(parts[1].split(",")).contains("memory")) {
                file = TestCgroup.ROOT.resolve("memory").resolve(parts[2].substring(1)).resolve("memory.limit_in_bytes");
            }
            if (file != null) return "limit: " + Long.parseLong(Files.readString(file).strip()) / 1024 + " kB\n";
        }
        throw new AssertionError("no memory cgroup for " + tid);
    }

    /** Lines up to "END", without it. */
    /** Lets the init's live thread (pid 2 in the namespace) read, then a child it forks: both see 256 MiB. */
    private static void assertInitsThreadAndChildSee256MiB(Process process, BufferedReader out, OutputStream in)
            throws Exception {
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        assertEquals("thread 2", out.readLine());
        String threadView = untilEnd(out);
        String child = out.readLine();
        assertTrue(child.startsWith("child "), child);
        String childView = untilEnd(out);
        assertEquals(262144, kb(threadView, "MemTotal"), "the init's live thread:\n" + threadView);
        assertEquals(262144, kb(childView, "MemTotal"), "a child of the init:\n" + childView);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
    }

    private static String untilEnd(BufferedReader out) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line; (line = out.readLine()) != null && !line.equals("END"); ) text.append(line).append('\n');
        return text.toString();
    }

    /** A whole meminfo of one cgroup: every line, each "Name: N kB", and no amount above MemTotal but swap's. */
    private static void assertWholeMeminfo(String text, int lines) {
        List<String> all = Host.lines(text);
        assertEquals(lines, all.size(), text);
        long total = kb(text, "MemTotal");
        for (String line : all) {
            assertTrue(line.matches("[A-Za-z0-9_()]+:\\s+\\d+( kB)?"), "not a meminfo line: " + line + "\n" + text);
        }
        for (String name : List.of("MemFree", "MemAvailable", "Cached", "Active", "Inactive")) {
            assertTrue(kb(text, name) <= total, name + " above MemTotal:\n" + text);
        }
    }

    /**
     * Nothing the daemon could not answer: no request failed with an unexpected error (EIO), no caller got the host's
     * file for want of its own numbers, no worker restarted.
     */
    private static void assertNoErrors(Daemon daemon) {
        String log = daemon.output();
        assertFalse(log.contains("proclens: severe:") || log.contains("answering EIO")
                || log.contains("answering the host's file"), log);
        assertEquals(1, daemon.workersServed(), log);
    }

    private static String allCpus() {
        return "0-" + (Runtime.getRuntime().availableProcessors() - 1);
    }
}
