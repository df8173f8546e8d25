package io.proclens.fs;

import io.proclens.fs.FsException.Failure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code cpuN} directories of sys/devices/system/cpu as a reader sees them: {@code cpu0} to {@code cpu(N-1)} for
 * its N CPUs, numbered as online, cpuinfo and stat number them, each showing the host directory of the CPU it
 * stands for (the reader's cpu0 on host CPU 5 is host cpu5's directory). Programs that count these directories
 * (glibc before 2.35, htop) or read each one's topology (lscpu) then agree with online.
 *
 * <p>The same name means another directory to another reader, so each (shown number, host CPU) pair is a mirror of
 * its own, with inode numbers of its own ({@link #RANGE} per pair, from {@link #FIRST_INO}): a directory inode is
 * never reached under two names, which the kernel's dentry cache does not allow. Their entries are marked
 * {@link NodeAttr#perReader()}, so the kernel asks again at every lookup. The files inside are the host's as they
 * are: a topology file that lists siblings names host CPUs.
 *
 * <p>Thread-safe: pairs get their mirror once ({@code computeIfAbsent}) and keep it for the daemon's life; at most
 * host CPUs squared of them.
 */
final class CpuDirectories {
    static final long FIRST_INO = 1L << 40;
    static final long RANGE = 1L << 20;

    private final Path hostCpuDir;
    private final Renderer renderer;
    private final ConcurrentHashMap<Long, HostMirror> byPair = new ConcurrentHashMap<>();
    private final List<HostMirror> byIndex = new CopyOnWriteArrayList<>();

    CpuDirectories(Path hostCpuDir, Renderer renderer) {
        this.hostCpuDir = hostCpuDir;
        this.renderer = renderer;
    }

    /** "cpu" and a number without leading zeros, as the kernel names them. */
    static boolean isCpuName(String name) {
        if (name.length() < 4 || !name.startsWith("cpu") || name.length() > 9) return false;
        if (name.charAt(3) == '0' && name.length() > 4) return false;
        for (int i = 3; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') return false;
        }
        return true;
    }

    /**
     * The caller's {@code cpuK}, or null when it is shown the host's (then the host's directory of that name
     * answers).
     */
    NodeAttr lookup(String name, int callerPid) throws FsException {
        int[] cpus = renderer.shownCpus(callerPid);
        if (cpus == null) return null;
        int shown = Integer.parseInt(name.substring(3));
        if (shown >= cpus.length) throw new FsException(Failure.NOT_FOUND, name);
        return directory(shown, cpus[shown]);
    }

    /** The caller's cpuK entries in order, or null when it is shown the host's. */
    List<DirEntry> entries(int callerPid) throws FsException {
        int[] cpus = renderer.shownCpus(callerPid);
        if (cpus == null) return null;
        List<DirEntry> entries = new ArrayList<>(cpus.length);
        for (int shown = 0; shown < cpus.length; shown++) {
            NodeAttr attr = directory(shown, cpus[shown]);
            if (attr != null) entries.add(new DirEntry("cpu" + shown, attr));
        }
        return entries;
    }

    private NodeAttr directory(int shown, int host) throws FsException {
        Path dir = hostCpuDir.resolve("cpu" + host);
        if (!Files.isDirectory(dir)) throw new FsException(Failure.NOT_FOUND, dir.toString());
        HostMirror mirror = byPair.computeIfAbsent(((long) shown << 32) | host, pair -> {
            synchronized (byIndex) {
                long first = FIRST_INO + byIndex.size() * RANGE;
                HostMirror made = new HostMirror(dir, first, first + RANGE - 1);
                byIndex.add(made);
                return made;
            }
        });
        return mirror.attr(mirror.root()).forThisReaderOnly();
    }

    /** The mirror that numbered {@code ino}, or null if none of these did. */
    HostMirror owner(long ino) {
        if (ino < FIRST_INO) return null;
        long index = (ino - FIRST_INO) / RANGE;
        return index < byIndex.size() ? byIndex.get((int) index) : null;
    }
}
