package io.proclens.heal;

import io.proclens.cgroup.Processes;
import io.proclens.mounts.MountEntry;
import io.proclens.mounts.MountTable;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bind mounts of proclens' (and LXCFS's) files in every mount namespace of the machine, found through
 * /proc/PID/mountinfo of one process per namespace: what a container made of `docker run --mount
 * source=/var/lib/proclens/proc/meminfo,target=/proc/meminfo`.
 */
public final class ProcBinds {
    private ProcBinds() {
    }

    /**
     * The binds of one mount namespace.
     *
     * @param namespace the namespace's id (the inode of /proc/PID/ns/mnt)
     * @param pid       the process in it that started first (a container's init): the one likeliest to stay while
     *                  we work in the namespace (the lowest pid may be a short-lived child once pids wrapped)
     * @param cgroup    that process's cgroup as /proc/PID/cgroup gives it (says which container it is)
     */
    public record Namespace(long namespace, int pid, String cgroup, List<MountEntry> binds) {
        /** The binds whose FUSE connection is none of {@code live}: their daemon is gone. */
        public List<MountEntry> deadBinds(Set<Long> live) {
            return binds.stream().filter(b -> !live.contains(b.minor())).toList();
        }
    }

    /**
     * Every mount namespace but {@code skipNamespace} (the host's, where the daemon's own mount is) that has
     * proclens or LXCFS files mounted. Processes that exit while we look are skipped.
     */
    public static List<Namespace> scan(Path proc, long skipNamespace) throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, ProcBinds::isPid)) {
            for (Path dir : dirs) pids.add(Integer.parseInt(dir.getFileName().toString()));
        }
        pids.sort(null);
        Processes processes = new Processes(proc);
        Map<Long, Started> first = new LinkedHashMap<>(); // namespace -> its earliest started process (lowest pid on a tie)
        for (int pid : pids) {
            try {
                long namespace = namespaceOf(proc.resolve(Integer.toString(pid)));
                if (namespace == skipNamespace) continue;
                Started candidate = new Started(pid, processes.startTicks(pid));
                first.merge(namespace, candidate, (kept, next) -> next.startTicks() < kept.startTicks() ? next : kept);
            } catch (IOException | RuntimeException e) {
                // the process exited, or is a kernel thread without a readable namespace: nothing to see
            }
        }
        List<Namespace> found = new ArrayList<>();
        for (var entry : first.entrySet()) {
            int pid = entry.getValue().pid();
            Path dir = proc.resolve(Integer.toString(pid));
            try {
                List<MountEntry> binds = MountTable.read(dir.resolve("mountinfo")).entries().stream()
                        .filter(MountEntry::isProcFuse).toList();
                if (!binds.isEmpty()) found.add(new Namespace(entry.getKey(), pid, cgroupOf(dir), binds));
            } catch (IOException | RuntimeException e) {
                // it exited meanwhile: its namespace went with it, or the next scan finds another of its processes
            }
        }
        return found;
    }

    private record Started(int pid, long startTicks) {
    }

    /** The id of the mount namespace of the process whose /proc directory is {@code dir}. */
    public static long namespaceOf(Path dir) throws IOException {
        String link = Files.readSymbolicLink(dir.resolve("ns/mnt")).toString(); // "mnt:[4026531841]"
        int open = link.indexOf('[');
        int close = link.indexOf(']');
        try {
            if (open >= 0 && close > open) return Long.parseLong(link.substring(open + 1, close));
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IOException("unexpected namespace link " + link);
    }

    /** The memory cgroup on v1 and hybrid layouts (the one a container's limit is on), else the unified one. */
    private static String cgroupOf(Path dir) {
        try {
            String unified = "?";
            for (String line : Files.readAllLines(dir.resolve("cgroup"))) {
                String[] fields = line.split(":", 3);
                if (fields.length < 3) continue;
                if (List.of(fields[1].split(",")).contains("memory")) return fields[2];
                if (fields[0].equals("0")) unified = fields[2];
            }
            return unified;
        } catch (IOException e) {
            return "?";
        }
    }

    private static boolean isPid(Path path) {
        String name = path.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
