package io.proclens.mounts;

import io.proclens.sys.MountCalls;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Our mountpoint as the mount table shows it: makes it ready (creates it, clears a dead FUSE mount a killed daemon
 * left, refuses a busy one), tells whether the mount there is ours, its FUSE connection, and detaches it.
 */
public final class Mountpoint {
    private static final Logger LOG = Logger.getLogger(Mountpoint.class.getName());

    /** What a mountpoint holds, as far as serving it is concerned. */
    public enum State {
        /** Nothing is mounted there. */
        NOT_MOUNTED,
        /** A proclens whose daemon answers. */
        SERVED,
        /** A FUSE mount whose daemon is gone: every call fails with ENOTCONN. */
        DEAD,
        /** Something else is mounted there. */
        OTHER
    }

    private Mountpoint() {
    }

    /** @throws MountException with a one-line reason when the directory cannot be used */
    public static void prepare(Path mountpoint) throws MountException {
        Optional<MountEntry> existing = readMountinfo().at(mountpoint);
        if (existing.isPresent()) {
            MountEntry mount = existing.get();
            if (mount.fsType().startsWith("fuse") && isDead(mountpoint)) {
                LOG.info("clearing the dead " + mount.fsType() + " mount left at " + mountpoint);
                detach(mountpoint);
            } else if (mount.fsType().equals("fuse.proclens")) {
                throw new MountException(mountpoint + " is already served by a running proclens");
            } else {
                throw new MountException(mountpoint + " is busy: " + mount.fsType() + " (" + mount.source()
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
            // statvfs, not stat: the kernel answers a stat of the root from its attribute cache (an hour, for us)
            // without asking the daemon, but sends every statfs to it.
            Files.getFileStore(mountpoint).getTotalSpace();
            return false;
        } catch (FileSystemException e) {
            return e.getReason() != null && e.getReason().contains("not connected");
        } catch (IOException | RuntimeException e) {
            return e.getMessage() != null && e.getMessage().contains("not connected");
        }
    }

    /** What is mounted at {@code mountpoint} (the topmost mount), and whether its daemon answers. */
    public static State state(Path mountpoint) throws MountException {
        Optional<MountEntry> mount = readMountinfo().at(mountpoint);
        if (mount.isEmpty()) return State.NOT_MOUNTED;
        if (mount.get().fsType().startsWith("fuse") && isDead(mountpoint)) return State.DEAD;
        return mount.get().fsType().equals("fuse.proclens") ? State.SERVED : State.OTHER;
    }

    /** Lazily unmounts {@code mountpoint}, once per stacked mount, until nothing is mounted there. */
    static void detach(Path mountpoint) throws MountException {
        for (int i = 0; i < 16 && readMountinfo().at(mountpoint).isPresent(); i++) {
            try {
                MountCalls.detach(mountpoint.toString());
            } catch (IOException e) {
                throw new MountException("cannot unmount the dead mount at " + mountpoint + ": " + e.getMessage());
            }
        }
    }

    /**
     * Whether the topmost mount at {@code path} is proclens' of the FUSE connection {@code connectionId}: ours, not
     * one mounted over it or in its place.
     */
    public static boolean isOurs(Path path, long connectionId) {
        if (connectionId < 0) return false;
        try {
            return readMountinfo().at(path)
                    .filter(mount -> mount.fsType().equals("fuse.proclens") && mount.minor() == connectionId).isPresent();
        } catch (MountException e) {
            LOG.warning(e.getMessage());
            return false;
        }
    }

    /** Whether the topmost mount at {@code path} is a proclens mount, from the mount table alone (it is not asked). */
    public static boolean isProclens(Path path) {
        try {
            return readMountinfo().at(path).filter(mount -> mount.fsType().equals("fuse.proclens")).isPresent();
        } catch (MountException e) {
            return false;
        }
    }

    /** umount2(path, MNT_DETACH) of the topmost mount at {@code path}; why not, when it failed. */
    public static Optional<String> detachTop(Path path) {
        try {
            MountCalls.detach(path.toString());
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The kernel's id of the FUSE connection mounted at {@code path} (-1 when there is none). */
    public static long connectionId(Path path) {
        try {
            return readMountinfo().at(path).map(MountEntry::minor).orElse(-1L);
        } catch (MountException e) {
            return -1;
        }
    }

    private static MountTable readMountinfo() throws MountException {
        try {
            return MountTable.read(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new MountException("cannot read /proc/self/mountinfo: " + e.getMessage());
        }
    }
}
