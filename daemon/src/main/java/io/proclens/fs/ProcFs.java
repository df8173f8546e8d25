package io.proclens.fs;

import io.proclens.fs.FsException.Failure;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Filesystem} the session serves: the fixed tree, the host directories it mirrors, and per open file
 * the snapshot its reads continue (rendered for the reader at each read at offset 0, or the host file's bytes).
 */
public final class ProcFs implements Filesystem {
    /** open(2)'s O_ACCMODE and O_RDONLY: the same numbers on every Linux ABI. */
    private static final int ACCESS_MODE = 3;
    private static final int READ_ONLY = 0;

    private final Tree tree;
    private final Renderer renderer;
    private final Map<Long, HostMirror> mirrors = new HashMap<>(); // by the static directory's inode; fixed
    private final List<HostMirror> allMirrors = new ArrayList<>();
    private final HandleTable handles = new HandleTable();
    /** The reader's cpuN directories in the mirrored sys/devices/system/cpu, and that directory's inode (0: none). */
    private final CpuDirectories cpuDirs;
    private long cpuDirIno;
    /** The reader's NUMA nodes in the mirrored sys/devices/system/node (null where the host has none). */
    private final NodeDirectories nodeDirs;
    private long nodeDirIno;

    /**
     * @param root where host directories are found ("/" in production, a fixture in tests)
     */
    public ProcFs(List<VirtualFile> files, Renderer renderer, Path root) {
        // the mirrored directories the host has, also those with no file of ours (sys/devices/system/node)
        this.tree = new Tree(files, VirtualFile.MIRRORED.keySet().stream()
                .filter(dir -> java.nio.file.Files.isDirectory(root.resolve(VirtualFile.MIRRORED.get(dir).substring(1))))
                .sorted().toList());
        this.renderer = renderer;
        NodeDirectories nodes = null;
        for (long ino = Filesystem.ROOT; tree.get(ino) != null; ino++) {
            Tree.Node node = tree.get(ino);
            if (node.mirror() != null) {
                long first = HostMirror.FIRST_INO * (1 + allMirrors.size()); // 2^32 numbers each, below 2^40
                HostMirror mirror = new HostMirror(root.resolve(node.mirror().substring(1)), first,
                        first + HostMirror.FIRST_INO - 1);
                mirrors.put(ino, mirror);
                allMirrors.add(mirror);
                if (node.mirror().equals(VirtualFile.CPU_DIRECTORY)) cpuDirIno = ino;
                if (node.mirror().equals(VirtualFile.NODE_DIRECTORY)) {
                    nodeDirIno = ino;
                    nodes = new NodeDirectories(mirror, renderer);
                }
            }
        }
        this.cpuDirs = new CpuDirectories(root.resolve(VirtualFile.CPU_DIRECTORY.substring(1)), renderer);
        this.nodeDirs = nodes;
    }

    /** A caller the kernel sent no pid for, or a test's: shown the host's directories. */
    private static final int HOST_VIEW = 0;

    @Override
    public NodeAttr lookup(long parent, String name) throws FsException {
        return lookup(parent, name, HOST_VIEW);
    }

    @Override
    public NodeAttr lookup(long parent, String name, int callerPid) throws FsException {
        Tree.Node dir = tree.get(parent);
        if (dir != null) {
            if (!dir.directory()) throw new FsException(Failure.NOT_A_DIRECTORY, dir.name());
            Tree.Node child = tree.child(dir.ino(), name);
            if (child != null) return child.attr();
            HostMirror mirror = mirrors.get(parent);
            if (mirror == null) throw new FsException(Failure.NOT_FOUND, name);
            if (parent == cpuDirIno && callerPid > 0 && CpuDirectories.isCpuName(name)) {
                NodeAttr cpu = cpuDirs.lookup(name, callerPid);
                if (cpu != null) return cpu;
            }
            if (parent == nodeDirIno) return nodeDirs.lookupTop(name, callerPid);
            return mirror.lookup(mirror.root(), name);
        }
        HostMirror mirror = mirrorOf(parent);
        int node = mirror == nodeMirror() ? nodeDirs.nodeOf(parent) : -1;
        if (node >= 0) return nodeDirs.lookupInNode(node, parent, name, callerPid);
        return mirror.lookup(mirror.path(parent), name);
    }

    private HostMirror nodeMirror() {
        return nodeDirs == null ? null : nodeDirs.mirror();
    }

    private boolean nodeFile(long ino) {
        return nodeDirs != null && nodeDirs.owns(ino);
    }

    @Override
    public NodeAttr getattr(long ino) throws FsException {
        Tree.Node node = tree.get(ino);
        if (node != null) return node.attr();
        if (nodeFile(ino)) return nodeDirs.attr(ino);
        HostMirror mirror = mirrorOf(ino);
        return mirror.attr(mirror.path(ino));
    }

    @Override
    public long open(long ino, int flags) throws FsException {
        if ((flags & ACCESS_MODE) != READ_ONLY) throw new FsException(Failure.READ_ONLY, "inode " + ino);
        Tree.Node node = tree.get(ino);
        if (node != null) {
            if (node.directory()) throw new FsException(Failure.IS_A_DIRECTORY, node.name());
        } else if (nodeFile(ino)) {
            if (nodeDirs.attr(ino).kind() != NodeAttr.Kind.FILE) throw new FsException(Failure.IO, "inode " + ino);
        } else {
            HostMirror mirror = mirrorOf(ino);
            if (mirror.attr(mirror.path(ino)).directory()) throw new FsException(Failure.IS_A_DIRECTORY, "inode " + ino);
        }
        try {
            return handles.add(NOT_RENDERED);
        } catch (IllegalStateException full) {
            throw new FsException(Failure.IO, full.getMessage());
        }
    }

    @Override
    public MemorySegment read(long ino, long handle, long offset, long size, int readerPid) throws FsException {
        MemorySegment snapshot = handles.get(handle);
        if (snapshot == null) throw new FsException(Failure.BAD_HANDLE, "handle " + handle);
        if (offset == 0 || snapshot == NOT_RENDERED) {
            MemorySegment fresh = render(ino, readerPid);
            handles.replace(handle, snapshot, fresh);
            snapshot = fresh;
        }
        return slice(snapshot, offset, size);
    }

    /** The file for the reader: a virtual file through the renderer (and its cache), a host file as it is now. */
    private MemorySegment render(long ino, int readerPid) throws FsException {
        Tree.Node node = tree.get(ino);
        if (node != null) {
            if (node.directory()) throw new FsException(Failure.IS_A_DIRECTORY, node.name());
            return renderer.render(node.file(), readerPid);
        }
        if (nodeFile(ino)) return Snapshots.of(nodeDirs.read(ino, readerPid));
        HostMirror mirror = mirrorOf(ino);
        return Snapshots.of(mirror.read(mirror.path(ino)));
    }

    /** A handle's snapshot before its first read: distinct from every rendering, even an empty one. */
    private static final MemorySegment NOT_RENDERED = java.lang.foreign.Arena.global().allocate(1).asSlice(0, 0);

    /** What a read past the end answers. */
    private static final MemorySegment NOTHING = java.lang.foreign.Arena.global().allocate(1).asSlice(0, 0).asReadOnly();

    /**
     * The part of {@code bytes} in [offset, offset + size), clipped to its end; empty past it. The usual reads (all
     * of it, and past its end) take no new segment.
     */
    static MemorySegment slice(MemorySegment bytes, long offset, long size) {
        long length = bytes.byteSize();
        if (offset < 0 || offset >= length || size <= 0) return NOTHING;
        if (offset == 0 && size >= length) return bytes;
        return bytes.asSlice(offset, Math.min(size, length - offset));
    }

    @Override
    public void release(long handle) {
        handles.remove(handle);
    }

    @Override
    public List<DirEntry> readdir(long ino) throws FsException {
        return readdir(ino, HOST_VIEW);
    }

    @Override
    public List<DirEntry> readdir(long ino, int callerPid) throws FsException {
        Tree.Node dir = tree.get(ino);
        List<DirEntry> entries = new ArrayList<>();
        if (dir != null) {
            if (!dir.directory()) throw new FsException(Failure.NOT_A_DIRECTORY, dir.name());
            entries.add(new DirEntry(".", dir.attr()));
            entries.add(new DirEntry("..", tree.get(dir.parent()).attr()));
            for (Tree.Node child : tree.children(dir)) entries.add(new DirEntry(child.name(), child.attr()));
            HostMirror mirror = mirrors.get(ino);
            if (ino == nodeDirIno && nodeDirs != null) {
                entries.addAll(nodeDirs.listTop(callerPid));
                entries.subList(2, entries.size()).sort(java.util.Comparator.comparing(DirEntry::name));
            } else if (mirror != null) {
                List<DirEntry> cpus = ino == cpuDirIno && callerPid > 0 ? cpuDirs.entries(callerPid) : null;
                if (cpus != null) entries.addAll(cpus);
                for (DirEntry host : mirror.list(mirror.root())) {
                    if (tree.child(ino, host.name()) != null) continue; // ours stand in for the host's
                    if (cpus != null && CpuDirectories.isCpuName(host.name())) continue; // and the reader's cpuN
                    entries.add(host);
                }
                entries.subList(2, entries.size()).sort(java.util.Comparator.comparing(DirEntry::name));
            }
            return entries;
        }
        HostMirror mirror = mirrorOf(ino);
        NodeAttr attr = mirror.attr(mirror.path(ino));
        if (!attr.directory()) throw new FsException(Failure.NOT_A_DIRECTORY, "inode " + ino);
        entries.add(new DirEntry(".", attr));
        entries.add(new DirEntry("..", attr)); // the kernel answers ".." itself; any directory attr will do
        int node = mirror == nodeMirror() ? nodeDirs.nodeOf(ino) : -1;
        entries.addAll(node >= 0 ? nodeDirs.listNode(node, ino, callerPid) : mirror.list(mirror.path(ino)));
        return entries;
    }

    @Override
    public String readlink(long ino) throws FsException {
        Tree.Node node = tree.get(ino);
        if (node != null) throw new FsException(Failure.NOT_A_SYMLINK, node.name());
        if (nodeFile(ino)) return nodeDirs.readlink(ino);
        HostMirror mirror = mirrorOf(ino);
        return mirror.readlink(mirror.path(ino));
    }

    /** How many files are open now; for tests and diagnostics. */
    public int openHandles() {
        return handles.size();
    }

    private HostMirror mirrorOf(long ino) throws FsException {
        HostMirror cpu = cpuDirs.owner(ino);
        if (cpu != null) return cpu;
        for (HostMirror mirror : allMirrors) {
            if (mirror.owns(ino)) return mirror;
        }
        throw new FsException(Failure.NOT_FOUND, "inode " + ino);
    }
}
