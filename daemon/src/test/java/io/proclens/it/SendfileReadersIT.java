package io.proclens.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * busybox cat, which copies with sendfile(2), in several cgroups at once, each in its own pid namespace as in a
 * container: every copy of meminfo, cpuinfo and online is the reader's own, whole file. Kernels from 6.5 on
 * without the fix splice a direct-I/O FUSE file through the page cache, which is one per inode and shared by every
 * reader; the same rounds through LXCFS are counted and printed beside ours, as the reference.
 */
@Tag(CgroupV2VmIT.LAYOUT)
class SendfileReadersIT {
    static final long MIB = 1024 * 1024;
    static final int CGROUPS = 4;
    /** Rounds of the three files per cgroup; fewer in the emulated VM (see CgroupV2VmIT). */
    static final int ROUNDS = Integer.getInteger("proclens.it.sendfileRounds", 300);
    static final String END = "#END";
    static final List<String> FILES = List.of("proc/meminfo", "proc/cpuinfo", "sys/devices/system/cpu/online");

    /** $1: the mount; $2: rounds. Each copy is followed by a line of its own, so that an empty one shows. */
    static final String READER = """
            i=0
            while [ "$i" -lt "$2" ]; do
                for f in proc/meminfo proc/cpuinfo sys/devices/system/cpu/online; do busybox cat "$1/$f"; echo '#END'; done
                i=$((i + 1))
            done
            """;

    @TempDir
    Path temp;

    @BeforeEach
    void needs() {
        Host.assumeRootWithFuse();
        Assumptions.assumeTrue(Host.hasCommand("busybox"), "busybox is not installed (busybox-static)");
        Assumptions.assumeTrue(Host.hasCommand("unshare"), "unshare is not installed (util-linux)");
    }

    /** What the copies showed: how many, and how many were wrong, empty or not whole. */
    record Tally(int copies, int wrong, int empty, int broken, List<String> examples) {
        String summary() {
            return copies + " copies: " + wrong + " another cgroup's, " + empty + " empty, " + broken
                    + " truncated or padded";
        }
    }

    @Test
    void busyboxCatInManyCgroupsAtOnceGetsItsOwnWholeFiles() throws Exception {
        Tally ours;
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"))) {
            ours = readAtOnce(temp.resolve("mnt"));
        }
        System.out.println("SendfileReadersIT: proclens: " + ours.summary());
        try (Lxcfs lxcfs = Lxcfs.start(temp.resolve("lxcfs"))) {
            System.out.println("SendfileReadersIT: LXCFS (the reference, not checked): "
                    + readAtOnce(lxcfs.mountpoint).summary());
        } catch (IllegalStateException e) {
            System.out.println("SendfileReadersIT: LXCFS did not start: " + e.getMessage());
        }
        assertEquals(CGROUPS * ROUNDS * FILES.size(), ours.copies());
        assertEquals(List.of(), ours.examples(), ours.summary());
    }

    /** Every cgroup's reader at once through the mount at {@code mount}; tallies what they printed. */
    private Tally readAtOnce(Path mount) throws Exception {
        List<TestCgroup> cgroups = new ArrayList<>();
        List<Process> readers = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        try {
            for (int i = 0; i < CGROUPS; i++) cgroups.add(TestCgroup.create(limit(i), cpus(i)));
            for (int i = 0; i < CGROUPS; i++) {
                Path output = temp.resolve("reader-" + mount.getFileName() + "-" + i);
                outputs.add(output);
                List<String> command = List.of("unshare", "--pid", "--fork", "sh", "-c", READER, "sh",
                        mount.toString(), Integer.toString(ROUNDS));
                readers.add(new ProcessBuilder(cgroups.get(i).wrap(command)).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start());
            }
            int copies = 0, wrong = 0, empty = 0, broken = 0;
            List<String> examples = new ArrayList<>();
            String hostMeminfo = Files.readString(Path.of("/proc/meminfo"));
            for (int i = 0; i < CGROUPS; i++) {
                assertTrue(readers.get(i).waitFor(600, TimeUnit.SECONDS), "reader " + i + " hung");
                String[] parts = Files.readString(outputs.get(i)).split(END + "\n", -1);
                for (int p = 0; p + 1 < parts.length; p++) {
                    copies++;
                    String text = parts[p];
                    String file = FILES.get(p % FILES.size());
                    String fault = text.isEmpty() ? "empty" : check(file, text, i, hostMeminfo);
                    if (fault == null) continue;
                    switch (fault) {
                        case "empty" -> empty++;
                        case "wrong" -> wrong++;
                        default -> broken++;
                    }
                    if (examples.size() < 5) {
                        examples.add("cgroup " + i + ", " + file + ", " + fault + ":\n"
                                + text.substring(0, Math.min(text.length(), 300)));
                    }
                }
            }
            return new Tally(copies, wrong, empty, broken, examples);
        } finally {
            Host.killAll(readers);
            for (TestCgroup cgroup : cgroups) cgroup.close();
        }
    }

    /** null when {@code text} is cgroup {@code index}'s whole file; else "wrong" (another's numbers) or what broke. */
    static String check(String file, String text, int index, String hostMeminfo) {
        if (text.indexOf('\0') >= 0) return "padded with NUL bytes";
        if (!text.endsWith("\n")) return "truncated: no final newline";
        switch (file) {
            case "proc/meminfo" -> {
                List<String> lines = text.lines().toList();
                List<String> host = hostMeminfo.lines().toList();
                if (!lines.getFirst().startsWith("MemTotal:")) return "truncated: no MemTotal first";
                if (ProcFiles.kb(text, "MemTotal") != limit(index) / 1024) return "wrong";
                if (lines.size() != host.size()) return "truncated or padded: " + lines.size() + " lines, not " + host.size();
                String last = host.getLast().split(":")[0];
                if (!lines.getLast().startsWith(last + ":")) return "truncated: last line not " + last;
                return null;
            }
            case "proc/cpuinfo" -> {
                int blocks = text.split("\n\n", -1).length - 1; // each processor's block ends with an empty line
                if (!text.endsWith("\n\n")) return "truncated: no blank line at the end";
                if (ProcFiles.processors(text).size() != blocks) return "truncated: a block without its processor";
                return blocks == processors(index) ? null : "wrong";
            }
            default -> {
                String expected = processors(index) == 1 ? "0\n" : "0-" + (processors(index) - 1) + "\n";
                return text.equals(expected) ? null : text.matches("[0-9,-]+\n") ? "wrong" : "truncated";
            }
        }
    }

    /** 256 MiB, 320 MiB, ...: a limit per cgroup, no two alike. */
    static long limit(int index) {
        return (256 + 64L * index) * MIB;
    }

    /** Even cgroups get CPU 0, odd ones every CPU: their cpuinfo and online differ where there are two or more. */
    static String cpus(int index) {
        return processors(index) == 1 ? "0" : "0-" + (processors(index) - 1);
    }

    static int processors(int index) {
        return index % 2 == 0 ? 1 : Runtime.getRuntime().availableProcessors();
    }
}
