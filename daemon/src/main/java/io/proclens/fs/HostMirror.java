package io.proclens.fs;

import io.proclens.fs.FsException.Failure;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A directory of the host shown read-only through the mount, as LXCFS shows /sys/devices/system/cpu: so that
 * bind-mounting the whole directory into a container keeps everything in it (cpu0/, cpufreq/, ...) while our
 * virtual files (online) stand in for the host's ones of the same name.
 *
 * <p>Host paths get inode numbers on first sight, from {@link #FIRST_INO} up, and keep them for the life of the
 * daemon (the directory's entries are few and fixed). Thread-safe: the two maps are concurrent and a path's
 * number is decided by one {@code computeIfAbsent}.
 */
final class HostMirror {
    /** Far above the static tree's numbers. */
    static final long FIRST_INO = 1L << 32;

    private final Path root;
    private final long lastIno;
    private final AtomicLong nextIno;
    private final ConcurrentHashMap<Path, Long> inoByPath = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Path> pathByIno = new ConcurrentHashMap<>();

    HostMirror(Path root) {
        this(root, FIRST_INO, Long.MAX_VALUE);
    }

    /** A mirror numbering its paths from {@code firstIno} to {@code lastIno}, so that mirrors never share one. */
    HostMirror(Path root, long firstIno, long lastIno) {
        this.root = root.toAbsolutePath().normalize();
        this.nextIno = new AtomicLong(firstIno);
        this.lastIno = lastIno;
    }

    Path root() {
        return root;
    }

    boolean owns(long ino) {
        return pathByIno.containsKey(ino);
    }

    /** The host path of a mirrored inode, or null. */
    Path path(long ino) {
        return pathByIno.get(ino);
    }

    /** The attributes of {@code name} in host directory {@code dir} (a mirrored one, or the root). */
    NodeAttr lookup(Path dir, String name) throws FsException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
            throw new FsException(Failure.NOT_FOUND, name);
        }
        return attr(dir.resolve(name));
    }

    NodeAttr attr(Path host) throws FsException {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new FsException(Failure.NOT_FOUND, host.toString());
        } catch (IOException e) {
            throw new FsException(Failure.IO, host + ": " + e.getMessage());
        }
        long ino = inoByPath.computeIfAbsent(host, p -> {
            long fresh = nextIno.getAndIncrement();
            if (fresh > lastIno) throw new IllegalStateException("no inode numbers left for " + p);
            pathByIno.put(fresh, p);
            return fresh;
        });
        NodeAttr.Kind kind = attrs.isDirectory() ? NodeAttr.Kind.DIRECTORY
                : attrs.isSymbolicLink() ? NodeAttr.Kind.SYMLINK : NodeAttr.Kind.FILE;
        int permissions = kind == NodeAttr.Kind.SYMLINK ? 0777 : readOnly(attrs.permissions());
        return new NodeAttr(ino, kind, permissions, attrs.size(), kind == NodeAttr.Kind.DIRECTORY ? 2 : 1);
    }

    /** The host's read and execute bits; nothing can be written through us. */
    private static int readOnly(Set<PosixFilePermission> permissions) {
        int bits = 0;
        if (permissions.contains(PosixFilePermission.OWNER_READ)) bits |= 0400;
        if (permissions.contains(PosixFilePermission.OWNER_EXECUTE)) bits |= 0100;
        if (permissions.contains(PosixFilePermission.GROUP_READ)) bits |= 0040;
        if (permissions.contains(PosixFilePermission.GROUP_EXECUTE)) bits |= 0010;
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) bits |= 0004;
        if (permissions.contains(PosixFilePermission.OTHERS_EXECUTE)) bits |= 0001;
        return bits;
    }

    /** The entries of a host directory, sorted by name (the kernel's own order is not stable across reads). */
    List<DirEntry> list(Path dir) throws FsException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) children.add(child);
        } catch (NoSuchFileException e) {
            throw new FsException(Failure.NOT_FOUND, dir.toString());
        } catch (IOException e) {
            throw new FsException(Failure.IO, dir + ": " + e.getMessage());
        }
        children.sort(null);
        List<DirEntry> entries = new ArrayList<>(children.size());
        for (Path child : children) {
            try {
                entries.add(new DirEntry(child.getFileName().toString(), attr(child)));
            } catch (FsException vanished) {
                // gone between listing and stat (a CPU unplugged): not listed
            }
        }
        return entries;
    }

    /** The whole content of a host file, read at open like our own files. */
    byte[] read(Path file) throws FsException {
        try {
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new FsException(Failure.ACCESS, file.toString());
        } catch (NoSuchFileException e) {
            throw new FsException(Failure.NOT_FOUND, file.toString());
        } catch (IOException e) {
            throw new FsException(Failure.IO, file + ": " + e.getMessage());
        }
    }

    String readlink(Path link) throws FsException {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            throw new FsException(Failure.IO, link + ": " + e.getMessage());
        }
    }
}
