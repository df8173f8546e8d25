package io.proclens.fs;

import io.proclens.fs.FsException.Failure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * sys/devices/system/node as a reader sees it (the host's directory, mirrored): only the nodes it may allocate on,
 * and in each its CPUs (the {@code cpuK} links, numbered as its CPU lists number them) and its memory. What the
 * numbers are is the renderer's ({@link Renderer#nodeFile}); this class gives the files their inodes and decides
 * which names a reader finds.
 *
 * <p>The files the reader's numbers replace ({@link #TOP_FILES} at the top, {@link #NODE_FILES} in each node) have
 * fixed inodes of their own for every reader, rendered at read; a reader shown the host's gets the host's bytes
 * from them. Node directories and cpuK links exist for some readers and not others, so their entries are marked
 * {@link NodeAttr#perReader()}: the kernel asks again at every lookup.
 */
final class NodeDirectories {
    static final long FIRST_INO = 1L << 41;
    /** Inodes per node: its files, then a cpuK link for each K below. */
    private static final long STRIDE = 1L << 16;
    private static final int FIRST_LINK = 16;
    private static final int MAX_NODES = 1 << 10;

    static final List<String> TOP_FILES = List.of("online", "has_cpu", "has_memory", "has_normal_memory");
    static final List<String> NODE_FILES = List.of("cpulist", "cpumap", "meminfo");

    private final HostMirror mirror;
    private final Renderer renderer;

    NodeDirectories(HostMirror mirror, Renderer renderer) {
        this.mirror = mirror;
        this.renderer = renderer;
    }

    HostMirror mirror() {
        return mirror;
    }

    /** "node" and a number without leading zeros. */
    static boolean isNodeName(String name) {
        return name.startsWith("node") && isNumber(name, 4);
    }

    boolean owns(long ino) {
        return ino >= FIRST_INO && ino < FIRST_INO + (MAX_NODES + 1L) * STRIDE;
    }

    /** The host node number of a mirrored directory, or -1 when it is no node directory. */
    int nodeOf(long dirIno) {
        Path dir = mirror.path(dirIno);
        if (dir == null || !mirror.root().equals(dir.getParent())) return -1;
        String name = dir.getFileName().toString();
        return isNodeName(name) && name.length() < 9 ? Integer.parseInt(name.substring(4)) : -1;
    }

    /** {@code name} in the node directory itself (the mirror's root). */
    NodeAttr lookupTop(String name, int callerPid) throws FsException {
        int file = TOP_FILES.indexOf(name);
        if (file >= 0) return NodeAttr.virtualFile(FIRST_INO + file, 0444);
        NodeAttr host = mirror.lookup(mirror.root(), name);
        if (!isNodeName(name)) return host;
        int[] nodes = callerPid > 0 ? renderer.shownNodes(callerPid) : null;
        if (nodes != null && !contains(nodes, Integer.parseInt(name.substring(4)))) {
            throw new FsException(Failure.NOT_FOUND, name);
        }
        return host.forThisReaderOnly();
    }

    /** {@code name} in the directory of host node {@code node}. */
    NodeAttr lookupInNode(int node, long dirIno, String name, int callerPid) throws FsException {
        int file = NODE_FILES.indexOf(name);
        if (file >= 0 && node < MAX_NODES) return NodeAttr.virtualFile(fileIno(node, file), 0444);
        int[] cpus = callerPid > 0 && CpuDirectories.isCpuName(name) ? renderer.shownCpus(callerPid) : null;
        if (cpus == null) return mirror.lookup(mirror.path(dirIno), name);
        int shown = Integer.parseInt(name.substring(3));
        if (shown >= cpus.length || shown >= STRIDE - FIRST_LINK || node >= MAX_NODES) {
            throw new FsException(Failure.NOT_FOUND, name);
        }
        mirror.lookup(mirror.path(dirIno), "cpu" + cpus[shown]); // NOT_FOUND when that CPU is on another node
        return link(node, shown);
    }

    /** The node directory's entries for the caller: ours in place of the host's, its nodes only. */
    List<DirEntry> listTop(int callerPid) throws FsException {
        int[] nodes = callerPid > 0 ? renderer.shownNodes(callerPid) : null;
        List<DirEntry> entries = new ArrayList<>();
        for (DirEntry host : mirror.list(mirror.root())) {
            int file = TOP_FILES.indexOf(host.name());
            if (file >= 0) {
                entries.add(new DirEntry(host.name(), NodeAttr.virtualFile(FIRST_INO + file, 0444)));
            } else if (nodes == null || !isNodeName(host.name())
                    || contains(nodes, Integer.parseInt(host.name().substring(4)))) {
                entries.add(host);
            }
        }
        return entries;
    }

    /** A node directory's entries for the caller: ours in place of the host's files, its own cpuK links. */
    List<DirEntry> listNode(int node, long dirIno, int callerPid) throws FsException {
        int[] cpus = callerPid > 0 ? renderer.shownCpus(callerPid) : null;
        List<DirEntry> host = mirror.list(mirror.path(dirIno));
        List<DirEntry> entries = new ArrayList<>(host.size());
        for (DirEntry entry : host) {
            int file = NODE_FILES.indexOf(entry.name());
            if (file >= 0 && node < MAX_NODES) {
                entries.add(new DirEntry(entry.name(), NodeAttr.virtualFile(fileIno(node, file), 0444)));
            } else if (cpus == null || !CpuDirectories.isCpuName(entry.name())) {
                entries.add(entry);
            }
        }
        if (cpus != null && node < MAX_NODES) {
            for (int shown = 0; shown < cpus.length && shown < STRIDE - FIRST_LINK; shown++) {
                final int cpu = cpus[shown];
                if (host.stream().anyMatch(e -> e.name().equals("cpu" + cpu))) {
                    entries.add(new DirEntry("cpu" + shown, link(node, shown)));
                }
            }
            entries.sort(Comparator.comparing(DirEntry::name));
        }
        return entries;
    }

    NodeAttr attr(long ino) throws FsException {
        long relative = ino - FIRST_INO;
        if (relative < TOP_FILES.size()) return NodeAttr.virtualFile(ino, 0444);
        long index = relative % STRIDE;
        if (index < NODE_FILES.size()) return NodeAttr.virtualFile(ino, 0444);
        if (index >= FIRST_LINK) return new NodeAttr(ino, NodeAttr.Kind.SYMLINK, 0777, 0, 1);
        throw new FsException(Failure.NOT_FOUND, "inode " + ino);
    }

    /** A cpuK link's target: the reader's cpuK directory beside the node directory. */
    String readlink(long ino) throws FsException {
        long index = (ino - FIRST_INO) % STRIDE;
        if (index < FIRST_LINK) throw new FsException(Failure.NOT_A_SYMLINK, "inode " + ino);
        return "../../cpu/cpu" + (index - FIRST_LINK);
    }

    /** The bytes of one of our files for the caller: its numbers, or the host's file when it is shown the host's. */
    byte[] read(long ino, int callerPid) throws FsException {
        long relative = ino - FIRST_INO;
        int node = relative < STRIDE ? -1 : (int) (relative / STRIDE - 1);
        int index = (int) (relative % STRIDE);
        List<String> names = node < 0 ? TOP_FILES : NODE_FILES;
        if (index >= names.size()) throw new FsException(Failure.NOT_FOUND, "inode " + ino);
        String name = names.get(index);
        String text = callerPid > 0 ? renderer.nodeFile(node, name, callerPid) : null;
        if (text != null) return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path host = node < 0 ? mirror.root().resolve(name) : mirror.root().resolve("node" + node).resolve(name);
        return mirror.read(host);
    }

    private static long fileIno(int node, int file) {
        return FIRST_INO + (node + 1L) * STRIDE + file;
    }

    private static NodeAttr link(int node, int shown) {
        return new NodeAttr(FIRST_INO + (node + 1L) * STRIDE + FIRST_LINK + shown, NodeAttr.Kind.SYMLINK, 0777, 0, 1,
                true);
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) if (v == value) return true;
        return false;
    }

    private static boolean isNumber(String name, int from) {
        if (name.length() <= from || name.length() > from + 6) return false;
        if (name.charAt(from) == '0' && name.length() > from + 1) return false;
        for (int i = from; i < name.length(); i++) if (name.charAt(i) < '0' || name.charAt(i) > '9') return false;
        return true;
    }
}
