package io.proclens.fs;

/**
 * The attributes the kernel sees for a node.
 *
 * @param permissions the permission bits (0555 for our directories, our files the read bits of the host's file
 *                    they stand in for; a host node's own bits without any write bit)
 */
public record NodeAttr(long ino, Kind kind, int permissions, long size, int links) {
    /** What a node is. */
    public enum Kind { DIRECTORY, FILE, SYMLINK }

    public boolean directory() {
        return kind == Kind.DIRECTORY;
    }

    public static NodeAttr directory(long ino, int links) {
        return new NodeAttr(ino, Kind.DIRECTORY, 0555, 0, links);
    }

    /** A virtual file: size 0 like /proc's files; readers read to EOF (direct I/O). */
    public static NodeAttr virtualFile(long ino, int permissions) {
        return new NodeAttr(ino, Kind.FILE, permissions, 0, 1);
    }
}
