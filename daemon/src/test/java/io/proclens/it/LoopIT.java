package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop threads under concurrent readers: every reader gets its own file, whole, whichever thread answers. */
class LoopIT {
    static final int READERS = 8;
    static final int READS_PER_READER = 300;
    static final Pattern UPTIME = Pattern.compile("\\d+\\.\\d\\d \\d+\\.\\d\\d\n");

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    /** The default loop with more threads than CPUs, so that requests really are spread over threads. */
    @ParameterizedTest
    @ValueSource(strings = {"--threads=4", "--threads=1"})
    void concurrentReadersOfDifferentFilesEachGetTheirOwnWholeFile(String loop) throws Exception {
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), loop)) {
            // What each file looks like, read alone; cpuinfo does not change while we run.
            String cpuinfo = Files.readString(daemon.file("proc/cpuinfo"));
            List<String> meminfoKeys = keys(Files.readString(daemon.file("proc/meminfo")));
            List<String> statKeys = keys(Files.readString(daemon.file("proc/stat")));
            assertTrue(meminfoKeys.contains("MemTotal:") && statKeys.contains("cpu"), meminfoKeys + " " + statKeys);

            ExecutorService readers = Executors.newFixedThreadPool(READERS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int r = 0; r < READERS; r++) {
                    int first = r;
                    done.add(readers.submit(() -> {
                        for (int i = 0; i < READS_PER_READER; i++) {
                            // Readers cycle through the files out of step, so different replies are in flight at once.
                            switch ((first + i) % 4) {
                                case 0 -> assertEquals(cpuinfo, Files.readString(daemon.file("proc/cpuinfo")));
                                case 1 -> assertEquals(meminfoKeys, keys(Files.readString(daemon.file("proc/meminfo"))));
                                case 2 -> assertEquals(statKeys, keys(Files.readString(daemon.file("proc/stat"))));
                                default -> {
                                    String uptime = Files.readString(daemon.file("proc/uptime"));
                                    assertTrue(UPTIME.matcher(uptime).matches(), uptime);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> reader : done) reader.get(120, TimeUnit.SECONDS); // a hang guard, not a speed limit
            } finally {
                readers.shutdownNow();
            }
            assertTrue(daemon.output().contains(", " + loop.substring("--threads=".length()) + " threads,"), daemon.output());
            assertEquals(0, daemon.terminate(), daemon.output());
        }
    }

    /** The first word of every line: which lines a file has, whatever their changing numbers. */
    static List<String> keys(String file) {
        assertTrue(file.endsWith("\n"), file);
        return file.lines().map(line -> line.split("\\s+", 2)[0]).toList();
    }
}
