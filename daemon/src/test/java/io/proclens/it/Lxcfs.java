package io.proclens.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The reference: LXCFS started by the test on its own mountpoint, stopped and unmounted after it. */
final class Lxcfs implements AutoCloseable {
    final Path mountpoint;
    private final Path pidfile;
    private final Process process;

    private Lxcfs(Path mountpoint, Path pidfile, Process process) {
        this.mountpoint = mountpoint;
        this.pidfile = pidfile;
        this.process = process;
    }

    /** Starts LXCFS with {@code options} (its own names: --enable-cfs, --enable-loadavg, ...). */
    static Lxcfs start(Path mountpoint, String... options) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Host.hasCommand("lxcfs"), "LXCFS is not installed (apt-get install lxcfs)");
        Files.createDirectories(mountpoint);
        Path pidfile = Files.createTempFile("lxcfs-it-", ".pid");
        Files.delete(pidfile); // lxcfs refuses a pidfile that exists
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("lxcfs", "-f", "-p", pidfile.toString()));
        command.addAll(java.util.List.of(options));
        command.add(mountpoint.toString());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Host.isMounted(mountpoint, "fuse.lxcfs")) {
            if (!process.isAlive()) throw new IllegalStateException("lxcfs exited with " + process.exitValue());
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("lxcfs did not mount in 30 s");
            }
            Thread.sleep(20);
        }
        return new Lxcfs(mountpoint, pidfile, process);
    }

    Path file(String relative) {
        return mountpoint.resolve(relative);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        Host.unmountAll(mountpoint);
        Files.deleteIfExists(pidfile);
    }
}
