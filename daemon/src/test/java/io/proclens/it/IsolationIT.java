package io.proclens.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers in 20 cgroups with 20 different memory limits read meminfo at once through one daemon and its cache
 * (default --cache-ttl): every read shows its own cgroup's MemTotal, also when a pid just used by a reader in one
 * cgroup is taken by a new reader in another.
 */
class IsolationIT {
    static final long MIB = 1024 * 1024;
    static final int CGROUPS = 20;
    /** Seconds of concurrent reading, and of pid reuse (its own test); both can be raised by hand for a longer run. */
    static final int CONCURRENT_SECONDS = Integer.getInteger("proclens.it.isolationSeconds", 40);
    static final int REUSE_SECONDS = Integer.getInteger("proclens.it.pidReuseSeconds", 10);

    /** A reader that stays one process: reads until the deadline, prints the reads it checked and any wrong line. */
    static final String SAME_PID_READER = """
            import sys, time
            path, expected, end = sys.argv[1], int(sys.argv[2]), time.time() + float(sys.argv[3])
            reads = 0
            while time.time() < end:
                with open(path) as f:
                    line = f.readline()
                reads += 1
                parts = line.split()
                if len(parts) != 3 or parts[0] != 'MemTotal:' or int(parts[1]) != expected:
                    print('wrong:', line.strip(), flush=True)
            print('reads', reads)
            """;

    /** A reader that is a new process for every read: every grep has a fresh pid. */
    static final String FRESH_PID_READER = """
            end=$(( $(date +%s) + $2 ))
            while [ "$(date +%s)" -lt "$end" ]; do grep '^MemTotal:' "$1" || echo "wrong: no MemTotal"; done
            """;

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
        Assumptions.assumeTrue(Host.hasCommand("python3"), "needs python3");
    }

    @Test
    void twentyCgroupsReadingAtOnceEachSeeOnlyTheirOwnLimit() throws Exception {
        List<TestCgroup> cgroups = new ArrayList<>();
        List<Process> readers = new ArrayList<>();
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), daemonArgs())) {
            for (int i = 0; i < CGROUPS; i++) cgroups.add(TestCgroup.create(limit(i), "0-" + (cpus() - 1)));
            String meminfo = daemon.file("proc/meminfo").toString();

            // all at once: even cgroups a reader that keeps its pid, odd ones a new process per read
            long started = System.nanoTime();
            List<Path> outputs = new ArrayList<>();
            for (int i = 0; i < CGROUPS; i++) {
                List<String> command = i % 2 == 0
                        ? List.of("python3", "-c", SAME_PID_READER, meminfo, Long.toString(limit(i) / 1024),
                                Integer.toString(CONCURRENT_SECONDS))
                        : List.of("sh", "-c", FRESH_PID_READER, "sh", meminfo, Integer.toString(CONCURRENT_SECONDS));
                Path output = temp.resolve("reader-" + i);
                outputs.add(output);
                readers.add(new ProcessBuilder(cgroups.get(i).wrap(command)).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start());
            }
            long reads = 0;
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < CGROUPS; i++) {
                assertTrue(readers.get(i).waitFor(CONCURRENT_SECONDS + 30, TimeUnit.SECONDS), "reader " + i + " hung");
                long own = 0;
                for (String line : Files.readAllLines(outputs.get(i))) {
                    if (line.startsWith("reads ")) {
                        own += Long.parseLong(line.substring(6));
                    } else if (isMemTotal(line, limit(i))) {
                        own++;
                    } else {
                        own++;
                        wrong.add("cgroup " + i + " (" + limit(i) / MIB + " MiB): " + line);
                    }
                }
                assertTrue(own > 0, "reader " + i + " read nothing: " + Files.readString(outputs.get(i)));
                reads += own;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("IsolationIT: %d reads in %d cgroups in %.1f s, %d wrong%n", reads, CGROUPS, seconds,
                    wrong.size());
            assertEquals(List.of(), wrong.subList(0, Math.min(wrong.size(), 20)), wrong.size() + " wrong reads of " + reads);
        } finally {
            Host.killAll(readers);
            for (TestCgroup cgroup : cgroups) cgroup.close();
        }
    }

    @Test
    void aPidReusedByAReaderInAnotherCgroupGetsItsOwnView() throws Exception {
        pidReuse(daemonArgs());
    }

    /** The daemon's options: none, or -Dproclens.it.isolationDaemonArgs's; a subclass tests others. */
    String[] daemonArgs() {
        return java.util.Arrays.stream(System.getProperty("proclens.it.isolationDaemonArgs", "").split(" +"))
                .filter(a -> !a.isEmpty()).toArray(String[]::new);
    }

    /** One pid taken in turn by readers in every cgroup, each right after the last one exited. */
    void pidReuse(String... daemonArgs) throws Exception {
        List<TestCgroup> cgroups = new ArrayList<>();
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), daemonArgs)) {
            for (int i = 0; i < CGROUPS; i++) cgroups.add(TestCgroup.create(limit(i), "0-" + (cpus() - 1)));
            String meminfo = daemon.file("proc/meminfo").toString();
            // ns_last_pid makes the next fork get the pid, unless another process on the machine forks in between
            StringBuilder joins = new StringBuilder("JOIN=(");
            for (TestCgroup cgroup : cgroups) {
                StringBuilder join = new StringBuilder();
                for (Path dir : cgroup.dirs) join.append("echo $$ > ").append(dir.resolve("cgroup.procs")).append("; ");
                joins.append('\'').append(join).append("' ");
            }
            joins.append(")\n");
            String script = joins + """
                    P=$(exec sh -c 'echo $$')
                    end=$((SECONDS + $2)); i=0
                    while [ "$SECONDS" -lt "$end" ]; do
                        k=$((i % NCG))
                        echo $((P - 1)) > /proc/sys/kernel/ns_last_pid
                        sh -c "${JOIN[$k]} echo pid \\$\\$ $P $k; exec grep '^MemTotal:' $1"
                        i=$((i + 1))
                    done
                    """.replace("NCG", Integer.toString(CGROUPS));
            Host.Result reuse = Host.run("bash", "-c", script, "bash", meminfo, Integer.toString(REUSE_SECONDS));
            assertEquals(0, reuse.status(), reuse.output());
            List<String> lines = Host.lines(reuse.output());
            int reused = 0, checked = 0;
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                String[] pid = lines.get(i).split(" ");
                assertEquals("pid", pid[0], reuse.output());
                int k = Integer.parseInt(pid[3]);
                if (pid[1].equals(pid[2])) reused++;
                checked++;
                assertTrue(isMemTotal(lines.get(i + 1), limit(k)), lines.get(i + 1) + ": pid " + pid[1]
                        + (pid[1].equals(pid[2]) ? " (reused)" : "") + " in cgroup " + k + " (" + limit(k) / MIB
                        + " MiB), read " + checked + "; reused " + reused);
            }
            System.out.printf("IsolationIT: pid reuse: %d reads, %d by the same pid as the reader before, "
                    + "in another cgroup%n", checked, reused);
            assertTrue(checked > CGROUPS, reuse.output());
            assertTrue(reused > 0, "no pid was reused: " + reuse.output());
        } finally {
            for (TestCgroup cgroup : cgroups) cgroup.close();
        }
    }

    /** 100 MiB, 107 MiB, ...: a limit per cgroup, no two alike. */
    static long limit(int index) {
        return (100 + 7L * index) * MIB;
    }

    /** Whether {@code line} is meminfo's MemTotal line for a limit of {@code limit} bytes. */
    static boolean isMemTotal(String line, long limit) {
        String[] parts = line.strip().split("\\s+");
        return parts.length == 3 && parts[0].equals("MemTotal:") && parts[1].equals(Long.toString(limit / 1024))
                && parts[2].equals("kB");
    }

    static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }
}
