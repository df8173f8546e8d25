package io.proclens.cgroup;

import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A fake /proc and cgroup hierarchies in a temp dir, for {@link TaskStates}: stat files in the kernel's format
 * (the tail of each line copied from this machine's {@code /proc/1/stat}) and task lists, one id per line.
 */
final class TaskTree {
    final Path proc;
    final Path cgroupRoot;

    TaskTree(Path temp) {
        this.proc = temp.resolve("proc");
        this.cgroupRoot = temp.resolve("sys/fs/cgroup");
        Fixtures.write(proc.resolve("README"), "fake procfs\n");
    }

    /** A task with this id, command name and state letter. */
    TaskTree task(int tid, String comm, char state) {
        Fixtures.write(proc.resolve(tid + "/stat"), statLine(tid, comm, state));
        return this;
    }

    static String statLine(int tid, String comm, char state) {
        return tid + " (" + comm + ") " + state + " 0 0 0 0 -1 4194560 54076 21180488 0 1104 181 517 167989 28209"
                + " 20 0 13 0 20 43626496 3245 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 0 0 0 0 0 0 0"
                + " 0 0 0 0 0\n";
    }

    /** Writes {@code hierarchy/path/file} listing the ids, one per line with a final newline. */
    Path list(String hierarchy, String path, String file, int... tids) {
        Path dir = cgroupRoot.resolve(hierarchy).resolve(path);
        String text = IntStream.of(tids).mapToObj(t -> t + "\n").collect(Collectors.joining());
        Fixtures.write(dir.resolve(file), text);
        return dir;
    }

    Location v1(String controllerDir, String path) {
        Path root = cgroupRoot.resolve(controllerDir);
        return new Location(Version.V1, path.isEmpty() ? root : root.resolve(path), root);
    }

    Location v2(String mount, String path) {
        Path root = cgroupRoot.resolve(mount);
        return new Location(Version.V2, path.isEmpty() ? root : root.resolve(path), root);
    }

    static Cgroup cgroup(Object... controllerThenLocation) {
        Map<Controller, Location> map = new EnumMap<>(Controller.class);
        for (int i = 0; i < controllerThenLocation.length; i += 2) {
            map.put((Controller) controllerThenLocation[i], (Location) controllerThenLocation[i + 1]);
        }
        return Cgroup.of(map);
    }
}
