package io.proclens.it;

import io.proclens.fuse.RequestTimeout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A daemon stopped with SIGSTOP, mounted with the kernel's FUSE request timeout (Linux 6.14+): a reader returns
 * with ECONNABORTED within the timeout and the kernel's 15 s check period, later calls get ENOTCONN, and the daemon,
 * let go on, finds its connection gone and exits. The sysctl is put back as it was.
 */
class RequestTimeoutIT {
    static final Path DEFAULT = Path.of("/proc/sys/fs/fuse/default_request_timeout");
    static final Path MAX = Path.of("/proc/sys/fs/fuse/max_request_timeout");
    static final int TIMEOUT = RequestTimeout.KERNEL_MINIMUM_SECONDS;

    @TempDir
    Path temp;

    @Test
    void aReaderOfAStoppedDaemonReturnsWithinTheTimeout() throws Exception {
        Host.assumeRootWithFuse();
        Assumptions.assumeTrue(Files.isWritable(DEFAULT), "the kernel has no FUSE request timeout (Linux 6.14+)");
        String original = Files.readString(DEFAULT).strip();
        Assumptions.assumeTrue(original.equals("0") && Files.readString(MAX).strip().equals("0"),
                "this host sets a FUSE request timeout of its own");
        Path mountpoint = temp.resolve("mnt");
        Daemon daemon = null;
        List<Long> stopped = List.of();
        try {
            daemon = Daemon.start(mountpoint, "--request-timeout", Integer.toString(TIMEOUT));
            for (int i = 0; i < 500 && !Files.readString(DEFAULT).strip().equals(original); i++) Thread.sleep(10);
            assertEquals(original, Files.readString(DEFAULT).strip(), "the sysctl is put back once the mount answers");
            assertTrue(Files.readString(daemon.file("proc/uptime")).matches("[0-9.]+ [0-9.]+\n"));
            // Hung: the holder and its worker both stopped, nothing answers.
            stopped = ProcessHandle.of(daemon.pid()).orElseThrow().descendants().map(ProcessHandle::pid).toList();
            Host.run("kill", "-STOP", Long.toString(daemon.pid()));
            for (long pid : stopped) Host.run("kill", "-STOP", Long.toString(pid));
            long start = System.nanoTime();
            CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> read(uptimeOf(mountpoint)));
            String seen;
            try {
                seen = reader.get(TIMEOUT + RequestTimeout.KERNEL_MINIMUM_SECONDS + 10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                fail("a reader of the stopped daemon still waits after " + (TIMEOUT + 25) + " s");
                return;
            }
            double waited = (System.nanoTime() - start) / 1e9;
            System.out.printf("the reader of a stopped daemon returned after %.1f s (timeout %d s): %s%n", waited, TIMEOUT, seen);
            assertTrue(seen.contains("Software caused connection abort"), seen);
            String later = read(uptimeOf(mountpoint));
            System.out.println("a later read: " + later);
            assertTrue(later.contains("Transport endpoint is not connected"), later);
            for (long pid : stopped) Host.run("kill", "-CONT", Long.toString(pid));
            Host.run("kill", "-CONT", Long.toString(daemon.pid()));
            int status = daemon.terminate(); // SIGTERM: the holder stops its worker and exits
            System.out.println("the daemon, continued, exited with " + status + ": " + daemon.output().strip());
            assertTrue(status >= 0, "the daemon exits once its connection is aborted");
        } finally {
            Files.writeString(DEFAULT, original);
            if (daemon != null) {
                for (long pid : stopped) Host.run("kill", "-CONT", Long.toString(pid));
                Host.run("kill", "-CONT", Long.toString(daemon.pid()));
                daemon.close();
            }
            Host.unmountAll(mountpoint);
        }
    }

    private static Path uptimeOf(Path mountpoint) {
        return mountpoint.resolve("proc/uptime");
    }

    private static String read(Path file) {
        try {
            return "read " + Files.readString(file).strip();
        } catch (FileSystemException e) {
            return "error: " + e.getReason();
        } catch (Exception e) {
            return "error: " + e;
        }
    }
}
