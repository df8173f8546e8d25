package io.proclens.heal;

import io.proclens.mounts.MountEntry;
import io.proclens.mounts.MountTable;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Which proclens and LXCFS mounts of the host answer, and probes of FUSE files that cannot hang us. */
public final class LiveMounts {
    /** A hung FUSE daemon blocks every call into its mount: give up on it after this long. */
    public static final long PROBE_SECONDS = 3;

    private LiveMounts() {
    }

    /** The FUSE connections (minors) of the proclens and LXCFS mounts in our namespace whose daemon answers. */
    public static Set<Long> connections() throws IOException {
        // All at once: each hung daemon costs the probe's timeout, and there may be several.
        Map<Long, CompletableFuture<Probe>> probes = new HashMap<>();
        for (MountEntry mount : MountTable.read(Path.of("/proc/self/mountinfo")).entries()) {
            if (!mount.isProcFuse() || !mount.root().equals("/")) continue;
            probes.put(mount.minor(), CompletableFuture.supplyAsync(() -> probe(Path.of(mount.mountPoint())),
                    r -> Thread.ofPlatform().daemon().start(r)));
        }
        Set<Long> live = new HashSet<>();
        for (var entry : probes.entrySet()) if (entry.getValue().join() == Probe.ANSWERS) live.add(entry.getKey());
        return live;
    }

    enum Probe { ANSWERS, NOT_CONNECTED, HANGS, OTHER_ERROR }

    /**
     * Opens {@code path} (a file: open and a one-byte read; a directory: opendir), each a request to its FUSE
     * daemon that no attribute cache answers: ENOTCONN is the proof that the daemon is gone.
     */
    static Probe probe(Path path) {
        try {
            return withTimeout(() -> {
                if (Files.isDirectory(path)) {
                    try (var entries = Files.newDirectoryStream(path)) {
                        entries.iterator().hasNext();
                    }
                } else {
                    try (var in = Files.newInputStream(path)) {
                        in.read();
                    }
                }
                return Probe.ANSWERS;
            });
        } catch (TimeoutException e) {
            return Probe.HANGS;
        } catch (FileSystemException e) {
            return e.getReason() != null && e.getReason().contains("not connected") ? Probe.NOT_CONNECTED : Probe.OTHER_ERROR;
        } catch (IOException e) {
            // Files.isDirectory swallows the error; a read's IOException carries only the text
            return String.valueOf(e.getMessage()).contains("not connected") ? Probe.NOT_CONNECTED : Probe.OTHER_ERROR;
        } catch (Exception e) {
            return Probe.OTHER_ERROR;
        }
    }

    /** Runs {@code call} on a daemon thread, so that a hung FUSE mount cannot hang us. */
    public static <T> T withTimeout(Callable<T> call) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("proclens-probe").start(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(PROBE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
