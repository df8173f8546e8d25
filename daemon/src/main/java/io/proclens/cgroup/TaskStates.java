package io.proclens.cgroup;

import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Counts a cgroup's tasks by scheduler state, the input of a per-cgroup load average: the task ids of the cgroup
 * and of its descendants, and each task's state from {@code /proc/TID/stat}.
 *
 * <p>Which tasks: on a v1 (or hybrid) layout the {@code tasks} file of the cgroup's {@code cpu} hierarchy, the
 * one LXCFS reads; otherwise {@code cgroup.threads} of its unified (v2) cgroup. Both list thread ids in the pid
 * namespace of the reader, so they match the {@code /proc} this instance reads. Descendant cgroups are counted
 * too, down to {@value #MAX_DEPTH} levels: a system container keeps its processes in child cgroups (systemd's
 * slices and scopes) and a v2 cgroup with controllers enabled for its children holds no process itself. LXCFS
 * walks 3 levels; we walk until the tree ends. A cgroup directory whose link count is 2 has no subdirectory
 * (cgroupfs, like most Linux file systems, counts each subdirectory's ".." link), so leaves cost one
 * {@code stat} and no directory listing.
 *
 * <p>Which state: field 3 of {@code /proc/TID/stat}, found after the last ')' since field 2, the command name,
 * may hold spaces and ')'. R counts as running, D as uninterruptible; S, I (idle kernel threads, which the kernel
 * leaves out of the load), T, t, Z, X count only in the total. A task that vanished between the list and its
 * stat file is skipped entirely, as if the list had been read a moment later.
 *
 * <p>Cost: per task one open, one read, one close of its stat file; the task list is parsed from bytes as it is
 * read, in chunks, without a String per task. Buffers are per thread and reused, so a count allocates only the
 * path of each stat file, the JDK's channel objects and one {@link TaskCounts}.
 *
 * <p>Threading: safe for any number of threads (no shared mutable state but a {@link ThreadLocal} of buffers).
 *
 * <p>Errors: a {@link Cgroup} with neither a v1 {@code cpu} nor a unified location throws {@link CgroupException}
 * of kind NO_CONTROLLER; a cgroup directory that does not exist (removed, also while being read) GONE; a task
 * list that is not one decimal id per line, or a stat file without a state after the command name, MALFORMED;
 * other I/O errors on the cgroup's own files IO_ERROR. A descendant removed while it is walked is skipped (a
 * cgroup can only be removed once it has no task).
 */
public final class TaskStates {
    /** How many levels of descendants are walked below the cgroup; deeper cgroups are left out. */
    public static final int MAX_DEPTH = 32;

    /** Largest task id Linux hands out (PID_MAX_LIMIT, 2^22). */
    private static final int PID_MAX_LIMIT = 1 << 22;
    /** A stat line is ~300 bytes; the state follows the command name (at most 64 bytes), so a full buffer is fine. */
    private static final int STAT_BUFFER = 1024;
    private static final int LIST_BUFFER = 16 * 1024;
    private static final int VANISHED = -1;

    /** Per-thread buffers and running totals of one count; count() resets them before use. */
    private static final class Scratch {
        final ByteBuffer list = ByteBuffer.allocateDirect(LIST_BUFFER);
        final ByteBuffer stat = ByteBuffer.allocateDirect(STAT_BUFFER);
        final StringBuilder path = new StringBuilder(64);
        int running;
        int uninterruptible;
        int total;
        int lastPid;

        void reset() {
            running = 0;
            uninterruptible = 0;
            total = 0;
            lastPid = 0;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Path procRoot;
    private final String procPrefix;

    /** Reads the real {@code /proc}. */
    public TaskStates() {
        this(Path.of("/proc"));
    }

    /**
     * Reads task states under {@code procRoot} ({@code /proc} in production, a fixture in tests).
     *
     * @throws IllegalArgumentException if procRoot is not a directory (every task would look vanished)
     */
    public TaskStates(Path procRoot) {
        if (!Files.isDirectory(procRoot)) throw new IllegalArgumentException(procRoot + " is not a directory");
        this.procRoot = procRoot;
        String root = procRoot.toString();
        this.procPrefix = root.endsWith("/") ? root : root + "/";
    }

    /** The procfs root this instance reads. */
    public Path procRoot() {
        return procRoot;
    }

    /**
     * The tasks of the cgroup and its descendants by state, read now.
     *
     * @throws CgroupException NO_CONTROLLER, GONE, MALFORMED or IO_ERROR as described on the class
     */
    public TaskCounts count(Cgroup cgroup) {
        Location at = taskListLocation(cgroup);
        String listName = taskListName(at.version());
        Scratch s = SCRATCH.get();
        s.reset();
        countTree(at.dir(), listName, s, 0);
        return new TaskCounts(s.running, s.uninterruptible, s.total, s.lastPid);
    }

    /**
     * Where the cgroup's task list is: its v1 {@code cpu} cgroup (as LXCFS), else its unified cgroup, else its v2
     * {@code cpu} cgroup.
     *
     * @throws CgroupException NO_CONTROLLER if it has none of them
     */
    static Location taskListLocation(Cgroup cgroup) {
        Optional<Location> cpu = cgroup.cpu();
        if (cpu.isPresent() && cpu.get().version() == Version.V1) return cpu.get();
        Optional<Location> unified = cgroup.unified();
        if (unified.isPresent()) return unified.get();
        if (cpu.isPresent()) return cpu.get();
        throw new CgroupException(CgroupException.Kind.NO_CONTROLLER,
                "no v1 cpu and no unified cgroup to list the tasks of " + cgroup);
    }

    /** {@code tasks} on v1, {@code cgroup.threads} on v2: one thread id per line. */
    static String taskListName(Version version) {
        return version == Version.V1 ? "tasks" : "cgroup.threads";
    }

    private void countTree(Path dir, String listName, Scratch s, int depth) {
        boolean top = depth == 0;
        if (!countList(dir.resolve(listName), dir, s, top)) return; // a descendant removed meanwhile
        if (depth >= MAX_DEPTH || !mayHaveSubdirectories(dir)) return;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) countTree(entry, listName, s, depth + 1);
            }
        } catch (IOException | DirectoryIteratorException e) {
            if (Files.isDirectory(dir)) {
                throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot list " + dir + ": " + e, e);
            }
            if (top) throw gone(dir, e);
        }
    }

    /** False only where the directory's link count says it has no subdirectory (2: its name and its "."). */
    private static boolean mayHaveSubdirectories(Path dir) {
        try {
            return !(Files.getAttribute(dir, "unix:nlink", LinkOption.NOFOLLOW_LINKS) instanceof Integer links
                    && links == 2);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
    }

    /**
     * Counts the tasks of one list file. False if it is a descendant's and the descendant is gone.
     *
     * @throws CgroupException GONE if the cgroup ({@code top}) is gone, NO_CONTROLLER if its directory has no
     *                         list, MALFORMED, IO_ERROR
     */
    private boolean countList(Path file, Path dir, Scratch s, boolean top) {
        ByteBuffer buffer = s.list;
        int id = -1; // the id being parsed, -1 before its first digit
        long offset = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n <= 0) break;
                for (int i = 0; i < n; i++, offset++) {
                    byte c = buffer.get(i);
                    if (c >= '0' && c <= '9') {
                        id = (id < 0 ? 0 : id * 10) + (c - '0');
                        if (id > PID_MAX_LIMIT) {
                            throw CgroupFiles.malformed(file, Integer.toString(id), "task id above 2^22 at byte " + offset);
                        }
                    } else if (c == '\n') {
                        countTask(checkedId(id, file, offset), s);
                        id = -1;
                    } else {
                        throw CgroupFiles.malformed(file, printable(c),
                                "not one task id per line: unexpected byte at " + offset);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            if (Files.isDirectory(dir)) {
                if (top) throw new CgroupException(CgroupException.Kind.NO_CONTROLLER, dir + " has no " + file.getFileName());
                return true;
            }
            if (top) throw gone(dir, e);
            return false;
        } catch (IOException e) {
            // reading the list of a cgroup removed meanwhile fails (ENODEV); anything else is an I/O error
            if (!Files.isDirectory(dir)) {
                if (top) throw gone(dir, e);
                return false;
            }
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot read " + file + ": " + e, e);
        }
        if (id >= 0) countTask(checkedId(id, file, offset), s); // a last line without its newline
        return true;
    }

    /** A parsed task id: MALFORMED for an empty line (-1) or 0. */
    private static int checkedId(int id, Path file, long offset) {
        if (id < 0) throw CgroupFiles.malformed(file, "", "empty line at byte " + offset);
        if (id == 0) throw CgroupFiles.malformed(file, "0", "task id 0 at byte " + offset);
        return id;
    }

    private void countTask(int tid, Scratch s) {
        int state = state(tid, s);
        if (state == VANISHED) return;
        s.total++;
        if (tid > s.lastPid) s.lastPid = tid;
        if (state == 'R') s.running++;
        else if (state == 'D') s.uninterruptible++;
    }

    /** The state letter of a task, or VANISHED if its stat file cannot be read (the task is gone). */
    private int state(int tid, Scratch s) {
        StringBuilder path = s.path;
        path.setLength(0);
        path.append(procPrefix).append(tid).append("/stat");
        Path file = Path.of(path.toString());
        ByteBuffer buffer = s.stat;
        buffer.clear();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            // procfs hands out the whole line in one read; the state is near its start in any case
            channel.read(buffer);
        } catch (IOException e) {
            return VANISHED; // ENOENT: reaped; ESRCH: exited between open and read
        }
        return stateLetter(buffer, buffer.position(), file);
    }

    /**
     * Field 3 of a stat text in {@code buffer[0, length)}: the byte after the last ") ".
     *
     * @throws CgroupException MALFORMED if there is no ')' followed by a space and a letter
     */
    static int stateLetter(ByteBuffer buffer, int length, Path file) {
        for (int i = length - 1; i >= 0; i--) {
            if (buffer.get(i) != ')') continue;
            if (i + 2 < length && buffer.get(i + 1) == ' ') {
                byte state = buffer.get(i + 2);
                if ((state >= 'A' && state <= 'Z') || (state >= 'a' && state <= 'z')) return state;
            }
            break;
        }
        byte[] shown = new byte[Math.min(length, 80)];
        buffer.get(0, shown);
        throw CgroupFiles.malformed(file, new String(shown, java.nio.charset.StandardCharsets.ISO_8859_1),
                "no state letter after the command name");
    }

    private static String printable(byte c) {
        return c >= 0x20 && c < 0x7f ? Character.toString((char) c) : String.format("\\x%02x", c & 0xff);
    }

    private static CgroupException gone(Path dir, Throwable cause) {
        return LeafFiles.gone(dir, cause);
    }
}
