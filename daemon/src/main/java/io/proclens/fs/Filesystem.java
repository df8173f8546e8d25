package io.proclens.fs;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What the FUSE session asks of the virtual tree, one method per operation it serves. Each method
 * returns its result or throws {@link FsException} with the errno to answer; the session turns
 * that into exactly one reply.
 */
public interface Filesystem {
    /** The inode of the root directory, as FUSE numbers it. */
    long ROOT = 1;

    NodeAttr lookup(long parent, String name) throws FsException;

    NodeAttr getattr(long ino) throws FsException;

    /** Renders the file for the calling process and returns a handle that keeps that snapshot. */
    long open(long ino, int flags, int callerPid) throws FsException;

    /** The bytes of the handle's snapshot in [offset, offset + size), empty past the end. */
    MemorySegment read(long handle, long offset, long size) throws FsException;

    void release(long handle);

    List<DirEntry> readdir(long ino) throws FsException;

    /** The target of a symbolic link. */
    String readlink(long ino) throws FsException;
}
