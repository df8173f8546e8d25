package io.proclens.fuse;

import io.proclens.bindings.LibFuse;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/** Makes a mountpoint ready: creates it, clears a dead FUSE mount a killed daemon left, refuses a busy one. */
public final class Mountpoint {
    private static final Logger LOG = Logger.getLogger(Mountpoint.class.getName());

    /**
     * One line of /proc/self/mountinfo, as far as we need it.
     *
     * @param minor the minor device number: for a FUSE mount, the kernel's id of its connection
     */
    record Mount(String path, String type, String source, long minor) {
    }

    private Mountpoint() {
    }

    /** @throws MountException with a one-line reason when the directory cannot be used */
    public static void prepare(Path mountpoint) throws MountException {
        Optional<Mount> existing = mountAt(mountpoint, readMountinfo());
        if (existing.isPresent()) {
            Mount mount = existing.get();
            if (mount.type().startsWith("fuse") && isDead(mountpoint)) {
                LOG.info("clearing the dead " + mount.type() + " mount left at " + mountpoint);
                detach(mountpoint);
            } else if (mount.type().equals("fuse.proclens")) {
                throw new MountException(mountpoint + " is already served by a running proclens");
            } else {
                throw new MountException(mountpoint + " is busy: " + mount.type() + " (" + mount.source()
                        + ") is mounted there; unmount it or choose another directory");
            }
        }
        try {
            Files.createDirectories(mountpoint);
        } catch (IOException e) {
            throw new MountException("cannot create mountpoint " + mountpoint + ": " + e.getMessage());
        }
        if (!Files.isDirectory(mountpoint)) throw new MountException(mountpoint + " is not a directory");
    }

    /** A FUSE mount whose daemon is gone answers every call with ENOTCONN. */
    static boolean isDead(Path mountpoint) {
        try {
            Files.readAttributes(mountpoint, "unix:dev");
            return false;
        } catch (FileSystemException e) {
            return e.getReason() != null && e.getReason().contains("not connected");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Lazily unmounts {@code mountpoint}, once per stacked mount, until nothing is mounted there. */
    static void detach(Path mountpoint) throws MountException {
        for (int i = 0; i < 16 && mountAt(mountpoint, readMountinfo()).isPresent(); i++) {
            try (Arena arena = Arena.ofConfined()) {
                if (LibFuse.umount2(arena.allocateFrom(mountpoint.toString()), LibFuse.MNT_DETACH()) != 0) {
                    throw new MountException("cannot unmount the dead mount at " + mountpoint);
                }
            }
        }
    }

    /** The topmost mount at {@code path} in {@code mountinfo}, if any. */
    static Optional<Mount> mountAt(Path path, List<String> mountinfo) {
        String wanted = path.toAbsolutePath().normalize().toString();
        Mount found = null;
        for (String line : mountinfo) {
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields.length < 5 || dash < 0 || dash + 2 >= fields.length) continue;
            if (unescape(fields[4]).equals(wanted)) {
                found = new Mount(wanted, fields[dash + 1], fields[dash + 2], minor(fields[2]));
            }
        }
        return Optional.ofNullable(found);
    }

    /** The minor of a "major:minor" field; -1 when malformed. */
    private static long minor(String majorMinor) {
        try {
            return Long.parseLong(majorMinor.substring(majorMinor.indexOf(':') + 1));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The kernel's id of the FUSE connection mounted at {@code path} (-1 when there is none). */
    static long connectionId(Path path) {
        try {
            return mountAt(path, readMountinfo()).map(Mount::minor).orElse(-1L);
        } catch (MountException e) {
            return -1;
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()
                    && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static List<String> readMountinfo() throws MountException {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new MountException("cannot read /proc/self/mountinfo: " + e.getMessage());
        }
    }
}
