package io.proclens.fuse;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * The kernel's FUSE request timeout for our own connection (Linux 6.14 and later), so that a hung daemon cannot
 * hang its readers forever: a request unanswered that long aborts the connection, the waiting reader gets
 * ECONNABORTED and every later call ENOTCONN, as after a kill; the daemon then finds its device gone and exits.
 *
 * <p>The kernel takes a connection's timeout from the daemon's FUSE_INIT reply (request_timeout, which libfuse 3.14
 * cannot send) or, when that has none, from the sysctl fs.fuse.default_request_timeout as it is when the reply
 * arrives, and keeps it for the connection's life. So the sysctl is set just for our mount's INIT and put back at
 * once: other FUSE mounts that complete their INIT in those few milliseconds get it too (said in the log). A value
 * an administrator set (default or max not 0) is left as it is: theirs applies, the max capping ours.
 *
 * <p>The kernel checks every 15 s and never uses less than 15 s: a reader waits from the timeout to 15 s more.
 */
public final class RequestTimeout implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RequestTimeout.class.getName());
    static final Path SYSCTL_DIR = Path.of("/proc/sys/fs/fuse");
    /** Several proclens starting at once must not restore each other's value as the original. */
    static final Path LOCK = Path.of("/run/proclens/request-timeout.lock");
    /** The kernel's floor and the period of its check (FUSE_TIMEOUT_TIMER_FREQ). */
    public static final int KERNEL_MINIMUM_SECONDS = 15;

    private final Path dir;
    private final String description;
    private FileChannel lockChannel;
    private FileLock lock;
    private String original;

    private RequestTimeout(Path dir, String description) {
        this.dir = dir;
        this.description = description;
    }

    /** Sets the sysctl to {@code seconds} (0: nothing) for the next mount's INIT; close it, or {@link #restoreWhenAnswered}. */
    public static RequestTimeout forNextMount(int seconds) {
        return forNextMount(seconds, SYSCTL_DIR, LOCK);
    }

    static RequestTimeout forNextMount(int seconds, Path dir, Path lockFile) {
        if (seconds <= 0) return new RequestTimeout(dir, "no request timeout");
        Path defaults = dir.resolve("default_request_timeout");
        if (!Files.isWritable(defaults)) {
            return new RequestTimeout(dir, "no request timeout: this kernel has none (Linux 6.14 and later have"
                    + " fs.fuse.default_request_timeout); a hung daemon hangs its readers");
        }
        RequestTimeout timeout = new RequestTimeout(dir, "request timeout " + Math.max(seconds, KERNEL_MINIMUM_SECONDS) + " s");
        try {
            Files.createDirectories(lockFile.getParent());
            timeout.lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            timeout.lock = timeout.lockChannel.lock();
            String current = Files.readString(defaults).strip();
            String max = Files.readString(dir.resolve("max_request_timeout")).strip();
            if (!current.equals("0") || !max.equals("0")) {
                timeout.release();
                return new RequestTimeout(dir, "the request timeout this host's sysctl sets (fs.fuse.default_request_timeout="
                        + current + ", max_request_timeout=" + max + ")");
            }
            Files.writeString(defaults, Integer.toString(seconds));
            timeout.original = current;
            return timeout;
        } catch (IOException e) {
            timeout.release();
            return new RequestTimeout(dir, "no request timeout: cannot set fs.fuse.default_request_timeout (" + e.getMessage() + ")");
        }
    }

    /** What the connection gets, for the daemon's start line. */
    public String description() {
        return description;
    }

    /**
     * Puts the sysctl back once {@code mountpoint} answers, from a thread of its own: a stat of the root waits for
     * the INIT reply, which the serving loop sends, so call this after mounting and before serving.
     */
    public void restoreWhenAnswered(Path mountpoint) {
        if (original == null) return;
        Thread.ofPlatform().daemon().name("proclens-request-timeout").start(() -> {
            try {
                Files.readAttributes(mountpoint, "unix:ino");
            } catch (IOException | RuntimeException e) {
                LOG.warning("request timeout: " + mountpoint + " did not answer (" + e.getMessage() + ")");
            } finally {
                close();
            }
        });
    }

    /** Puts the sysctl back now. */
    @Override
    public synchronized void close() {
        if (original == null) return;
        try {
            Files.writeString(dir.resolve("default_request_timeout"), original);
        } catch (IOException e) {
            LOG.warning("could not put fs.fuse.default_request_timeout back to " + original + ": " + e.getMessage());
        }
        original = null;
        release();
    }

    private void release() {
        try {
            if (lock != null) lock.release();
            if (lockChannel != null) lockChannel.close();
        } catch (IOException e) {
            // the lock goes with the channel
        }
        lock = null;
        lockChannel = null;
    }
}
