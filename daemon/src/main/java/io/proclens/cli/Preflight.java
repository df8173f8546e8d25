package io.proclens.cli;

import io.proclens.bindings.LibFuse;
import io.proclens.fuse.LibfuseLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The checks before mounting, each failing with one line that says what to do. */
final class Preflight {
    private Preflight() {
    }

    static final Path FUSE_DEVICE = Path.of("/dev/fuse");

    static void check() {
        if (!isRoot()) {
            throw new UserError("must run as root (it mounts a filesystem with allow_other and reads every cgroup)");
        }
        checkDevice(FUSE_DEVICE);
        if (libfuseVersion().isEmpty()) {
            throw new UserError("libfuse3 is not installed (neither libfuse3.so.3 nor libfuse3.so.4 found):"
                    + " apt-get install fuse3");
        }
    }

    static void checkDevice(Path fuse) {
        if (!Files.exists(fuse)) {
            throw new UserError(fuse + " is missing: load the fuse module (modprobe fuse), or in a container"
                    + " pass --device /dev/fuse");
        }
        if (!Files.isReadable(fuse) || !Files.isWritable(fuse)) {
            throw new UserError(fuse + " is not usable by this process (check device permissions or the"
                    + " container's device cgroup)");
        }
    }

    /** libfuse's version as "3.14.0" (from fuse_pkgversion), or empty when no libfuse3 can be loaded. */
    static Optional<String> libfuseVersion() {
        if (LibfuseLoader.load().isEmpty()) return Optional.empty();
        return Optional.of(LibFuse.fuse_pkgversion().reinterpret(64).getString(0));
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // effective uid
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
