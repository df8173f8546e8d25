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

    /** As {@link #lookup(long, String)} for the process {@code callerPid}: some names mean another node to another. */
    default NodeAttr lookup(long parent, String name, int callerPid) throws FsException {
        return lookup(parent, name);
    }

    NodeAttr getattr(long ino) throws FsException;

    /** Opens file {@code ino} for reading and returns its handle; nothing is rendered before the first read. */
    long open(long ino, int flags) throws FsException;

    /**
     * The bytes in [offset, offset + size) of the handle's rendering, empty past the end; the kernel's seq_file
     * semantics: a read at offset 0 (and a handle's first read) renders file {@code ino} anew for the process
     * {@code readerPid}, reads at other offsets continue the rendering it made, so that a program that keeps its
     * descriptor and reads again from 0 (procps) sees live numbers, and one pass is never torn.
     */
    MemorySegment read(long ino, long handle, long offset, long size, int readerPid) throws FsException;

    void release(long handle);

    List<DirEntry> readdir(long ino) throws FsException;

    /** As {@link #readdir(long)} for the process {@code callerPid}. */
    default List<DirEntry> readdir(long ino, int callerPid) throws FsException {
        return readdir(ino);
    }

    /** The target of a symbolic link. */
    String readlink(long ino) throws FsException;
}
