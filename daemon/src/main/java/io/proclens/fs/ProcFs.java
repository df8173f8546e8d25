package io.proclens.fs;

import io.proclens.fs.FsException.Failure;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The {@link Filesystem} the session serves: the fixed tree, and per open a snapshot rendered for the caller. */
public final class ProcFs implements Filesystem {
    private final Tree tree;
    private final Renderer renderer;
    private final HandleTable handles = new HandleTable();

    public ProcFs(List<VirtualFile> files, Renderer renderer) {
        this.tree = new Tree(files);
        this.renderer = renderer;
    }

    @Override
    public NodeAttr lookup(long parent, String name) throws FsException {
        Tree.Node dir = directory(parent);
        Tree.Node child = tree.child(dir.ino(), name);
        if (child == null) throw new FsException(Failure.NOT_FOUND, name);
        return child.attr();
    }

    @Override
    public NodeAttr getattr(long ino) throws FsException {
        return node(ino).attr();
    }

    @Override
    public long open(long ino, int flags, int callerPid) throws FsException {
        Tree.Node node = node(ino);
        if (node.directory()) throw new FsException(Failure.IS_A_DIRECTORY, node.name());
        if ((flags & ACCESS_MODE) != READ_ONLY) throw new FsException(Failure.READ_ONLY, node.name());
        byte[] text = renderer.render(node.file(), callerPid).getBytes(StandardCharsets.UTF_8);
        // Native memory freed by the GC once the handle is released and no reply points into it any more.
        MemorySegment snapshot = Arena.ofAuto().allocate(Math.max(text.length, 1)).asSlice(0, text.length);
        MemorySegment.copy(MemorySegment.ofArray(text), 0, snapshot, 0, text.length);
        return handles.add(snapshot);
    }

    /** open(2)'s O_ACCMODE and O_RDONLY: the same numbers on every Linux ABI. */
    private static final int ACCESS_MODE = 3;
    private static final int READ_ONLY = 0;

    @Override
    public MemorySegment read(long handle, long offset, long size) throws FsException {
        MemorySegment snapshot = handles.get(handle);
        if (snapshot == null) throw new FsException(Failure.BAD_HANDLE, "handle " + handle);
        return slice(snapshot, offset, size);
    }

    /** The part of {@code bytes} in [offset, offset + size), clipped to its end; empty past it. */
    static MemorySegment slice(MemorySegment bytes, long offset, long size) {
        long length = bytes.byteSize();
        if (offset < 0 || offset >= length || size <= 0) return bytes.asSlice(length, 0);
        return bytes.asSlice(offset, Math.min(size, length - offset));
    }

    @Override
    public void release(long handle) {
        handles.remove(handle);
    }

    @Override
    public List<DirEntry> readdir(long ino) throws FsException {
        Tree.Node dir = directory(ino);
        List<DirEntry> entries = new java.util.ArrayList<>();
        entries.add(new DirEntry(".", dir.attr()));
        entries.add(new DirEntry("..", tree.get(dir.parent()).attr()));
        for (Tree.Node child : tree.children(dir)) entries.add(new DirEntry(child.name(), child.attr()));
        return entries;
    }

    /** How many files are open now; for tests and diagnostics. */
    public int openHandles() {
        return handles.size();
    }

    private Tree.Node node(long ino) throws FsException {
        Tree.Node node = tree.get(ino);
        if (node == null) throw new FsException(Failure.NOT_FOUND, "inode " + ino);
        return node;
    }

    private Tree.Node directory(long ino) throws FsException {
        Tree.Node node = node(ino);
        if (!node.directory()) throw new FsException(Failure.NOT_A_DIRECTORY, node.name());
        return node;
    }
}
