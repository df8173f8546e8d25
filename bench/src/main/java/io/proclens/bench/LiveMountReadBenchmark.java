package io.proclens.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A full read through a live mount: the proclens daemon runs as a child process (the daemon jar, else this JVM's
 * class path, on this JVM's java), mounted in a temp dir, and the benchmark reads {@code proc/<file>} through it:
 * the kernel, /dev/fuse, the daemon's loop, the snapshot cache and back. Readers are JMH threads ({@code -t 8}).
 *
 * <ul>
 *   <li>{@code reopen}: open, read to EOF, close, as monitoring agents do (FUSE open, read, release requests);
 *   <li>{@code pread}: the file is opened once per thread, each op preads it from offset 0 to EOF (reads only).
 * </ul>
 *
 * <p>Needs root and /dev/fuse. JMH cannot skip a benchmark: where the mount is impossible the setup prints
 * "LiveMountReadBenchmark skipped: why" to stderr and both methods return at once, so their scores (a few ns)
 * measure nothing. A daemon that mounts but fails a read fails the benchmark. The daemon jar is
 * {@code -Dproclens.jar=...}, {@code $PROCLENS_JAR}, or daemon/target/proclens.jar in the current directory or
 * above; extra mount options: {@code -Dproclens.options=--cache-ttl=0} (given to JMH with {@code -jvmArgsAppend},
 * which splits at spaces).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LiveMountReadBenchmark {
    private static final int BUFFER = 65536;
    private static final long MOUNT_TIMEOUT_MS = 60_000;

    @Param({"meminfo"})
    public String file;

    private Path temp;
    private Path mountPoint;
    private Process daemon;
    private Path target;
    private String skipped;

    @Setup(Level.Trial)
    public void mount() throws IOException, InterruptedException {
        skipped = whyImpossible();
        if (skipped != null) {
            System.err.println("LiveMountReadBenchmark skipped: " + skipped + " (the scores measure nothing)");
            return;
        }
        temp = Files.createTempDirectory("proclens-jmh");
        mountPoint = Files.createDirectory(temp.resolve("mnt"));
        Path log = temp.resolve("daemon.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
        Path jar = daemonJar();
        if (jar != null) {
            command.addAll(List.of("-jar", jar.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.proclens.cli.Main"));
        }
        command.addAll(List.of("mount", "--foreground", mountPoint.toString()));
        String options = System.getProperty("proclens.options", "").strip();
        if (!options.isEmpty()) command.addAll(List.of(options.split("\\s+")));
        daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        target = mountPoint.resolve("proc").resolve(file);
        long deadline = System.currentTimeMillis() + MOUNT_TIMEOUT_MS;
        while (!serves(target)) {
            if (!daemon.isAlive() || System.currentTimeMillis() > deadline) {
                String why = daemon.isAlive() ? "no read of " + target + " within " + MOUNT_TIMEOUT_MS + " ms"
                        : "the daemon exited with " + daemon.exitValue();
                String output = Files.readString(log, StandardCharsets.UTF_8);
                unmount();
                throw new IllegalStateException("LiveMountReadBenchmark: " + why + "; " + command + " printed:\n" + output);
            }
            Thread.sleep(10);
        }
    }

    /** Why a mount cannot be made here, or null. */
    private static String whyImpossible() throws IOException {
        if (!System.getProperty("os.name").equals("Linux")) return "not Linux";
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:")).findFirst().map(line -> line.split("\\s+")[1]).orElse("?");
        if (!uid.equals("0")) return "not root (uid " + uid + "): mounting FUSE here needs root";
        if (!Files.exists(Path.of("/dev/fuse"))) return "no /dev/fuse";
        return null;
    }

    private static Path daemonJar() {
        String given = System.getProperty("proclens.jar", System.getenv("PROCLENS_JAR"));
        if (given != null && !given.isEmpty()) return Path.of(given);
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("daemon/target/proclens.jar");
            if (Files.isRegularFile(jar)) return jar;
        }
        return null; // benchmarks.jar holds the daemon's classes too
    }

    private static boolean serves(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return channel.read(ByteBuffer.allocate(1)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    @TearDown(Level.Trial)
    public void unmount() throws IOException, InterruptedException {
        if (daemon != null) {
            daemon.destroy(); // SIGTERM: the daemon unmounts and exits
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            daemon = null;
        }
        if (mountPoint != null && mounted(mountPoint)) {
            new ProcessBuilder("umount", "-l", mountPoint.toString()).inheritIO().start().waitFor();
        }
        if (temp != null) {
            try (Stream<Path> paths = Files.walk(temp)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            temp = null;
        }
    }

    private static boolean mounted(Path dir) throws IOException {
        String needle = " " + dir + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(line -> line.contains(needle));
    }

    /** One reader's buffer and, for pread, its open file. */
    @State(Scope.Thread)
    public static class Reader {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        FileChannel open;

        @Setup(Level.Trial)
        public void open(LiveMountReadBenchmark mount) throws IOException {
            if (mount.skipped == null) open = FileChannel.open(mount.target, StandardOpenOption.READ);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            if (open != null) open.close();
        }
    }

    @Benchmark
    public long reopen(Reader reader) throws IOException {
        if (skipped != null) return 0;
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ)) {
            long total = 0;
            for (int n; (n = channel.read(reader.buffer.clear())) > 0; ) total += n;
            return nonEmpty(total);
        }
    }

    @Benchmark
    public long pread(Reader reader) throws IOException {
        if (skipped != null) return 0;
        long total = 0;
        for (int n; (n = reader.open.read(reader.buffer.clear(), total)) > 0; ) total += n;
        return nonEmpty(total);
    }

    private long nonEmpty(long bytes) throws IOException {
        if (bytes == 0) throw new IOException(target + " read empty"); // a broken read fails the run, never scores
        return bytes;
    }
}
