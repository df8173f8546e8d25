package io.proclens.cgroup;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps a calling pid to the process whose cgroup a view shows: the caller itself when it is in our pid
 * namespace, else the init of its pid namespace (the container's pid 1), as LXCFS does. Reads a procfs tree
 * ({@code /proc} in production, a fixture in tests).
 *
 * <p>Threading: safe for any number of threads. The cache maps a pid namespace (the text of its
 * {@code ns/pid} link, e.g. "pid:[4026532001]") to the host pid and start time of its init; it is a
 * {@link ConcurrentHashMap} read without a lock. Entries are immutable and checked on every hit (the pid still
 * is in that namespace and still has the same start time), so a reused pid never gets another namespace's init;
 * a stale entry is replaced. A miss walks the caller's parents within the namespace, then scans {@code /proc}
 * (a {@code docker exec}'d process has its parent outside the container). Two threads missing at once both
 * search and store the same answer, which is harmless. Entries of dead namespaces are dropped by {@link #prune()},
 * which a miss calls once the cache holds more than {@value #MAX_CACHED_NAMESPACES} namespaces.
 *
 * <p>The cgroup is the init's, but while the init's main thread is exiting or a zombie (another of its threads runs
 * on as the reaper) the kernel shows the root of every v1 hierarchy for it: then a live thread's is taken.
 *
 * <p>Needs {@code NSpid} in {@code /proc/PID/status} (Linux 4.1 and later) to recognise a namespace's init.
 */
public final class Processes {
    /** Clock ticks per second of the times in {@code /proc/PID/stat} (USER_HZ, 100 on every Linux we run on). */
    public static final long USER_HZ = 100;

    static final int MAX_CACHED_NAMESPACES = 4096;
    /** Longest parent chain followed before falling back to a scan; pid namespaces nest at most 32 deep. */
    private static final int MAX_PARENT_STEPS = 1024;

    private record Reaper(int pid, long startTicks) {
    }

    private final Path procRoot;
    private final StartTimes startTimes;
    private final int maxCachedNamespaces;
    private final String ourPidNamespace;
    private final ConcurrentHashMap<String, Reaper> reapers = new ConcurrentHashMap<>();

    /** Reads the real {@code /proc}. */
    public Processes() {
        this(Path.of("/proc"));
    }

    /**
     * Reads the procfs tree at {@code procRoot}; "our" pid namespace is that of {@code procRoot/self}.
     *
     * @throws CgroupException IO_ERROR if {@code procRoot/self/ns/pid} cannot be read
     */
    public Processes(Path procRoot) {
        this(procRoot, MAX_CACHED_NAMESPACES);
    }

    Processes(Path procRoot, int maxCachedNamespaces) {
        this.procRoot = procRoot;
        this.startTimes = new StartTimes(procRoot);
        this.maxCachedNamespaces = maxCachedNamespaces;
        Path self = procRoot.resolve("self/ns/pid");
        try {
            this.ourPidNamespace = Files.readSymbolicLink(self).toString();
        } catch (IOException e) {
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot read our pid namespace " + self + ": " + e, e);
        }
    }

    /**
     * The caller and the process whose cgroup it sees.
     *
     * @throws NoSuchProcessException if the pid does not exist (any more), or its namespace's init cannot be found
     * @throws CgroupException        MALFORMED if the reaper's stat file is not what the kernel writes, IO_ERROR
     *                                on other I/O errors (for example permission denied on {@code ns/pid})
     */
    public Caller caller(int pid) {
        if (pid <= 0) throw new NoSuchProcessException(pid, "no process has pid " + pid);
        String namespace = readLink(pid, pidDir(pid).resolve("ns/pid"));
        if (namespace == null) throw new NoSuchProcessException(pid, "process " + pid + " does not exist");
        if (namespace.equals(ourPidNamespace)) {
            long start = startTicks(pid, pid);
            return new Caller(pid, pid, false, start, cgroupText(pid, pid));
        }
        Reaper reaper = reapers.get(namespace);
        // The cgroup read before the stat: a stat that still shows the same init, not exiting, vouches for it.
        String cgroup = reaper == null ? null : readQuietly(pidDir(reaper.pid()).resolve("cgroup"));
        String stat = reaper == null ? null : currentStat(reaper, namespace);
        if (stat == null) {
            if (reaper != null) reapers.remove(namespace, reaper);
            reaper = findReaper(pid, namespace);
            reapers.put(namespace, reaper);
            if (reapers.size() > maxCachedNamespaces) prune();
            cgroup = readQuietly(pidDir(reaper.pid()).resolve("cgroup"));
            stat = currentStat(reaper, namespace);
            if (stat == null) throw new NoSuchProcessException(pid, "init " + reaper.pid() + " of " + namespace + " exited");
        }
        if (cgroup == null || exiting(stat, pidDir(reaper.pid()).resolve("stat"))) cgroup = liveThreadCgroup(pid, reaper.pid());
        return new Caller(pid, reaper.pid(), true, reaper.startTicks(), cgroup);
    }

    /** PF_EXITING in {@code /proc/PID/stat}'s flags (field 9): set from the start of the task's exit on. */
    private static final long PF_EXITING = 0x4;

    /**
     * The cgroup text of a live thread of {@code init}, whose main thread is exiting or exited: an exiting task's
     * /proc/PID/cgroup names the root of every v1 hierarchy, while the init lives on in its other threads (the
     * kernel makes one of them the namespace's reaper) and its namespace's processes stay in their cgroup. The
     * caller's own when no thread is left (the namespace is being torn down).
     */
    private String liveThreadCgroup(int caller, int init) {
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(pidDir(init).resolve("task"))) {
            for (Path thread : threads) {
                if (liveStat(thread) == null) continue;
                String cgroup = readQuietly(thread.resolve("cgroup"));
                if (cgroup != null && liveStat(thread) != null) return cgroup; // not exiting yet after the read
            }
        } catch (IOException | DirectoryIteratorException e) {
            // the init is gone: the caller's own below
        }
        return cgroupText(caller, caller);
    }

    /** A thread's stat text while it is not exiting; null if it is, or is gone. */
    private static String liveStat(Path thread) {
        String stat = readQuietly(thread.resolve("stat"));
        try {
            return stat == null || exiting(stat, thread.resolve("stat")) ? null : stat;
        } catch (CgroupException e) {
            return null;
        }
    }

    /**
     * Whether a {@code /proc/PID/stat} text has PF_EXITING in its flags (field 9).
     *
     * @throws CgroupException MALFORMED if there is no ')' or too few fields, or the field is not a counter
     */
    static boolean exiting(String stat, Path file) {
        return (StartTimes.statField(stat, 9, file) & PF_EXITING) != 0;
    }

    /** The text of the pid namespace link of a process ("pid:[4026531836]"). */
    public String pidNamespace(int pid) {
        String namespace = pid <= 0 ? null : readLink(pid, pidDir(pid).resolve("ns/pid"));
        if (namespace == null) throw new NoSuchProcessException(pid, "process " + pid + " does not exist");
        return namespace;
    }

    /** Our own pid namespace link text. */
    public String ourPidNamespace() {
        return ourPidNamespace;
    }

    /** Drops the cached inits that are no longer the init of their namespace (dead containers). */
    public void prune() {
        for (Map.Entry<String, Reaper> e : reapers.entrySet()) {
            if (!isCurrent(e.getValue(), e.getKey())) reapers.remove(e.getKey(), e.getValue());
        }
    }

    /** How many namespaces are cached (for tests and metrics). */
    int cachedNamespaces() {
        return reapers.size();
    }

    /** Field 22 (starttime) of a {@code /proc/PID/stat} text: see {@link StartTimes#parse}. */
    static long parseStartTicks(String stat, Path file) {
        return StartTimes.parse(stat, file);
    }

    /** The last entry of the NSpid line of a status text (the pid in the innermost namespace), or -1 if none. */
    static int innermostPid(String status) {
        String value = statusField(status, "NSpid:");
        if (value == null) return -1;
        String[] pids = value.strip().split("\\s+");
        return parsePid(pids[pids.length - 1]);
    }

    /** The parent pid of a status text, or -1 if none. */
    static int parentPid(String status) {
        String value = statusField(status, "PPid:");
        return value == null ? -1 : parsePid(value.strip());
    }

    private static String statusField(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) return line.substring(name.length());
        }
        return null;
    }

    private static int parsePid(String text) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        return Integer.parseInt(text);
    }

    private boolean isCurrent(Reaper reaper, String namespace) {
        return currentStat(reaper, namespace) != null;
    }

    /** The init's stat text while it is still the process cached as {@code namespace}'s init; else null. */
    private String currentStat(Reaper reaper, String namespace) {
        if (!namespace.equals(readLinkQuietly(pidDir(reaper.pid()).resolve("ns/pid")))) return null;
        String stat = readQuietly(pidDir(reaper.pid()).resolve("stat"));
        if (stat == null) return null;
        try {
            return parseStartTicks(stat, pidDir(reaper.pid()).resolve("stat")) == reaper.startTicks() ? stat : null;
        } catch (CgroupException e) {
            return null;
        }
    }

    private Reaper findReaper(int pid, String namespace) {
        int init = initAmongParents(pid, namespace);
        if (init < 0) init = initByScan(namespace);
        if (init < 0) {
            if (readLinkQuietly(pidDir(pid).resolve("ns/pid")) == null) {
                throw new NoSuchProcessException(pid, "process " + pid + " does not exist");
            }
            throw new NoSuchProcessException(pid, "no init (NSpid ending in 1) found in pid namespace "
                    + namespace + " of process " + pid);
        }
        long start = startTicks(pid, init);
        // If the init died and its pid was reused before we read its start time, it is no longer in the namespace.
        if (!namespace.equals(readLinkQuietly(pidDir(init).resolve("ns/pid")))) {
            throw new NoSuchProcessException(pid, "init " + init + " of pid namespace " + namespace + " vanished");
        }
        return new Reaper(init, start);
    }

    /** Follows PPid while the parent is in the namespace; the pid whose NSpid ends in 1, or -1. */
    private int initAmongParents(int pid, String namespace) {
        int current = pid;
        for (int step = 0; step < MAX_PARENT_STEPS; step++) {
            String status = readQuietly(pidDir(current).resolve("status"));
            if (status == null) return -1;
            if (innermostPid(status) == 1) return current;
            int parent = parentPid(status);
            if (parent <= 0 || !namespace.equals(readLinkQuietly(pidDir(parent).resolve("ns/pid")))) return -1;
            current = parent;
        }
        return -1;
    }

    /** Scans every process for one in the namespace whose NSpid ends in 1; its pid or -1. */
    private int initByScan(String namespace) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
            for (Path entry : entries) {
                int pid = parsePid(entry.getFileName().toString());
                if (pid <= 0 || !namespace.equals(readLinkQuietly(entry.resolve("ns/pid")))) continue;
                String status = readQuietly(entry.resolve("status"));
                if (status != null && innermostPid(status) == 1) return pid;
            }
        } catch (IOException | DirectoryIteratorException e) {
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot scan " + procRoot + ": " + e, e);
        }
        return -1;
    }

    /**
     * When process {@code pid} started, in clock ticks since boot: with the pid, what tells a process from a
     * later one that reuses its pid.
     *
     * @throws NoSuchProcessException if it does not exist (any more)
     */
    public long startTicks(int pid) {
        if (pid <= 0) throw new NoSuchProcessException(pid, "no process has pid " + pid);
        long fast = startTicksFast(pid);
        return fast >= 0 ? fast : startTicks(pid, pid);
    }

    /** The start time by the allocation-free read; -1 when anything is unusual (see {@link StartTimes#read}). */
    long startTicksFast(int pid) {
        return startTimes.read(pid);
    }

    private long startTicks(int caller, int pid) {
        Path file = pidDir(pid).resolve("stat");
        String stat = readQuietly(file);
        if (stat == null) throw new NoSuchProcessException(caller, "process " + pid + " does not exist");
        return parseStartTicks(stat, file);
    }

    private String cgroupText(int caller, int pid) {
        Path file = pidDir(pid).resolve("cgroup");
        try {
            return new String(Files.readAllBytes(file), UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchProcessException(caller, "process " + pid + " does not exist");
        } catch (IOException e) {
            if (!Files.isDirectory(pidDir(pid))) throw new NoSuchProcessException(caller, "process " + pid + " does not exist");
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot read " + file + ": " + e, e);
        }
    }

    private Path pidDir(int pid) {
        return procRoot.resolve(Integer.toString(pid));
    }

    /** A link's target; null if it (or the process) does not exist; IO_ERROR otherwise. */
    private static String readLink(int caller, Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot read " + link + " (pid " + caller + "): " + e, e);
        }
    }

    /** A link's target, or null on any error (processes come and go while we look at them). */
    private static String readLinkQuietly(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** A file's content, or null on any error. */
    private static String readQuietly(Path file) {
        try {
            return new String(Files.readAllBytes(file), UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
