package io.proclens.fs;

/**
 * The attributes the kernel sees for a node.
 *
 * @param permissions the permission bits (0555 for our directories, our files the read bits of the host's file
 *                    they stand in for; a host node's own bits without any write bit)
 * @param perReader   the name that led here means another node to another reader (a cpuN directory): the kernel
 *                    must ask again at every lookup instead of keeping the entry
 */
public record NodeAttr(long ino, Kind kind, int permissions, long size, int links, boolean perReader) {
    public NodeAttr(long ino, Kind kind, int permissions, long size, int links) {
        this(ino, kind, permissions, size, links, false);
    }

    /** The same node, found under a name that depends on the reader. */
    public NodeAttr forThisReaderOnly() {
        return new NodeAttr(ino, kind, permissions, size, links, true);
    }

    /** What a node is. */
    public enum Kind { DIRECTORY, FILE, SYMLINK }

    public boolean directory() {
        return kind == Kind.DIRECTORY;
    }

    public static NodeAttr directory(long ino, int links) {
        return new NodeAttr(ino, Kind.DIRECTORY, 0555, 0, links);
    }

    /**
     * What a virtual file says its size is: a page, like sysfs's files, which tools read to EOF whatever its
     * content (coreutils' wc and tail treat a page-multiple size as unknown). Not 0: kernels from 6.5 on without
     * the fix splice (sendfile) a direct-I/O FUSE file through the page cache and stop at the size, so at 0
     * busybox cat would print nothing; with a size its splice reaches our read, which refuses it
     * (see the fuse package) and cat falls back to read(2).
     */
    public static final long VIRTUAL_FILE_SIZE = 4096;

    /** A virtual file: {@link #VIRTUAL_FILE_SIZE} bytes by its attributes; readers read to EOF (direct I/O). */
    public static NodeAttr virtualFile(long ino, int permissions) {
        return new NodeAttr(ino, Kind.FILE, permissions, VIRTUAL_FILE_SIZE, 1);
    }
}
