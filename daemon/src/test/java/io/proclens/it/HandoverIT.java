package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The serving process dies or is upgraded while 8 threads read meminfo and stat through the mount in a loop: no
 * read fails, and each is a whole, well-formed file.
 */
class HandoverIT {
    static final int READERS = 8;
    /** A /proc/meminfo line: "Name:   123 kB" or "HugePages_Total:   0". */
    static final Pattern MEMINFO_LINE = Pattern.compile("[A-Za-z0-9_()]+: +\\d+( kB)?");
    static final Pattern STAT_LINE = Pattern.compile(
            "cpu\\d* ( ?\\d+){10}|intr( \\d+)+|ctxt \\d+|btime \\d+|processes \\d+|procs_running \\d+"
                    + "|procs_blocked \\d+|softirq( \\d+)+");

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    @Test
    void killingTheWorkerTenTimesFailsNoRead() throws Exception {
        killTenTimes();
    }

    @Test
    void withAStandbyWorkerTheStallIsShort() throws Exception {
        killTenTimes("--standby");
    }

    private void killTenTimes(String... options) throws Exception {
        Random random = new Random();
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), options); Readers readers = new Readers(daemon)) {
            List<Long> handOvers = new ArrayList<>();
            for (int kill = 0; kill < 10; kill++) {
                Thread.sleep(200 + random.nextInt(1300)); // a random moment of the readers' loop
                long worker = daemon.workerPid();
                int served = daemon.workersServed();
                long killedAt = System.nanoTime();
                Host.run("kill", "-KILL", Long.toString(worker));
                daemon.awaitWorkersServed(served + 1);
                handOvers.add((System.nanoTime() - killedAt) / 1_000_000);
                assertNotEquals(worker, daemon.workerPid());
            }
            Thread.sleep(500);
            Readers.Result result = readers.stop();
            System.out.printf("HandoverIT kill -9 x10 %s: %s; kill to new worker serving, ms: %s%n",
                    List.of(options), result, handOvers);
            result.assertClean(daemon);
            assertEquals(11, daemon.workersServed(), daemon.output());
            assertOnlyTheLastWorkerServes(daemon);
        }
    }

    @Test
    void upgradingToARebuiltJarFailsNoRead() throws Exception {
        Path rebuilt = temp.resolve("proclens-rebuilt.jar");
        Files.copy(Host.daemonJar(), rebuilt);
        try (Daemon daemon = Daemon.start(temp.resolve("mnt")); Readers readers = new Readers(daemon)) {
            List<Long> upgrades = new ArrayList<>();
            for (int upgrade = 0; upgrade < 3; upgrade++) {
                Thread.sleep(500);
                long before = daemon.workerPid();
                long started = System.nanoTime();
                Host.Result result = Host.run(Host.proclens("upgrade", "--jar", rebuilt.toString(),
                        daemon.mountpoint.toString()));
                upgrades.add((System.nanoTime() - started) / 1_000_000);
                assertEquals(0, result.status(), result.output() + daemon.output());
                assertTrue(result.output().contains("retires"), result.output());
                assertNotEquals(before, daemon.workerPid(), daemon.output());
            }
            Thread.sleep(500);
            Readers.Result result = readers.stop();
            System.out.printf("HandoverIT upgrade x3: %s; upgrade command took, ms: %s%n", result, upgrades);
            result.assertClean(daemon);
            assertOnlyTheLastWorkerServes(daemon);
            assertTrue(daemon.output().contains("-rebuilt.jar") || daemon.output().contains("upgrade: worker"),
                    daemon.output());
        }
    }

    @Test
    void sighupUpgradesFromTheDaemonsOwnJarAndFailsNoRead() throws Exception {
        // A JVM leaves alone a SIGHUP its parent ignored (nohup): then no handler can be installed for it.
        org.junit.jupiter.api.Assumptions.assumeFalse(Host.ignoresSighup(),
                "SIGHUP is ignored in this process tree (started under nohup?): the daemon cannot handle it here");
        try (Daemon daemon = Daemon.start(temp.resolve("mnt")); Readers readers = new Readers(daemon)) {
            Thread.sleep(500);
            int served = daemon.workersServed();
            long before = daemon.workerPid();
            Host.run("kill", "-HUP", Long.toString(daemon.pid()));
            daemon.awaitWorkersServed(served + 1);
            Thread.sleep(500);
            Readers.Result result = readers.stop();
            System.out.printf("HandoverIT SIGHUP: %s%n", result);
            result.assertClean(daemon);
            assertNotEquals(before, daemon.workerPid(), daemon.output());
            assertOnlyTheLastWorkerServes(daemon);
        }
    }

    @Test
    void stoppingTheDaemonStillUnmounts() throws Exception {
        Path mountpoint = temp.resolve("mnt");
        try (Daemon daemon = Daemon.start(mountpoint)) {
            long worker = daemon.workerPid();
            assertEquals(0, daemon.terminate(), daemon.output());
            assertTrue(!Host.anyMountAt(mountpoint), "still mounted after SIGTERM");
            assertTrue(ProcessHandle.of(worker).map(p -> !p.isAlive()).orElse(true), "the worker outlived the daemon");
        }
    }

    /** Two workers serving at once would hide behind the adoption of each other's handles: none may be left. */
    private static void assertOnlyTheLastWorkerServes(Daemon daemon) throws InterruptedException {
        List<Long> pids = daemon.servingPids();
        Thread.sleep(2000); // a retiring worker may finish its last request
        for (long pid : pids.subList(0, pids.size() - 1)) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "worker " + pid + " still runs");
        }
        assertTrue(ProcessHandle.of(pids.getLast()).map(ProcessHandle::isAlive).orElse(false));
    }

    /** READERS threads, each reading meminfo and stat in turn, whole files, checking every one. */
    static final class Readers implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicLong reads = new AtomicLong();
        private final AtomicLong longestNanos = new AtomicLong();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final int meminfoLines;
        private final int statLines;

        record Result(long reads, long failures, List<String> firstFailures, long longestStallMs) {
            void assertClean(Daemon daemon) {
                assertTrue(reads > 0, "no reads");
                assertEquals(0, failures, "failed or malformed reads: " + firstFailures + "\n" + daemon.output());
            }

            @Override
            public String toString() {
                return reads + " reads, " + failures + " failed or malformed, longest read " + longestStallMs + " ms";
            }
        }

        Readers(Daemon daemon) throws IOException {
            Path meminfo = daemon.file("proc/meminfo");
            Path stat = daemon.file("proc/stat");
            meminfoLines = Files.readString(meminfo).split("\n").length;
            statLines = Files.readString(stat).split("\n").length;
            for (int i = 0; i < READERS; i++) {
                Thread thread = Thread.ofPlatform().name("reader-" + i).start(() -> {
                    while (!stop.get()) {
                        read(meminfo, MEMINFO_LINE, meminfoLines);
                        read(stat, STAT_LINE, statLines);
                    }
                });
                threads.add(thread);
            }
        }

        private void read(Path file, Pattern line, int lines) {
            long started = System.nanoTime();
            try {
                String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
                long took = System.nanoTime() - started;
                longestNanos.accumulateAndGet(took, Math::max);
                reads.incrementAndGet();
                String[] got = text.split("\n", -1);
                // n lines and a final newline: n + 1 parts, the last empty
                if (got.length != lines + 1 || !got[lines].isEmpty()) {
                    failures.add(file.getFileName() + ": " + (got.length - 1) + " lines instead of " + lines
                            + " (" + text.length() + " bytes)");
                    return;
                }
                for (int i = 0; i < lines; i++) {
                    if (!line.matcher(got[i]).matches()) {
                        failures.add(file.getFileName() + ": malformed line " + i + ": " + got[i]);
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                failures.add(file.getFileName() + ": " + e);
            }
        }

        Result stop() throws InterruptedException {
            stop.set(true);
            for (Thread thread : threads) thread.join(60_000);
            return new Result(reads.get(), failures.size(), failures.stream().limit(5).toList(),
                    longestNanos.get() / 1_000_000);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
