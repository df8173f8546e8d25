package io.proclens.heal;

import io.proclens.sys.MountCalls;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StaleBindTest {
    private static String line(int id, int minor, String root, String point, String options, String type) {
        return id + " 1 0:" + minor + " " + root + " " + point + " " + options + " - " + type + " src rw";
    }

    @Test
    void findsTheDeadBindsOnTopAndCountsTheStack() {
        List<String> mountinfo = List.of(
                line(1, 20, "/", "/", "rw", "overlay"),
                line(2, 21, "/", "/proc", "rw,nosuid,nodev,noexec", "proc"),
                line(3, 40, "/proc/meminfo", "/proc/meminfo", "ro,relatime", "fuse.proclens"),
                line(4, 41, "/proc/meminfo", "/proc/meminfo", "ro,nosuid,relatime", "fuse.proclens"),
                line(5, 50, "/proc/stat", "/proc/stat", "ro", "fuse.lxcfs"),
                line(6, 60, "/proc/uptime", "/proc/uptime", "ro", "fuse.proclens"),
                line(7, 40, "/proc/loadavg", "/proc/loadavg", "ro", "fuse.proclens"),
                line(8, 22, "/", "/proc/loadavg", "rw", "tmpfs"));
        List<StaleBind> stale = StaleBind.find(mountinfo, Set.of(60L));
        assertEquals(List.of("/proc/meminfo", "/proc/stat"), stale.stream().map(b -> b.mount().mountPoint()).toList());
        StaleBind meminfo = stale.getFirst();
        assertEquals(2, meminfo.stacked(), "both dead mounts at /proc/meminfo are detached");
        assertEquals(41, meminfo.mount().minor(), "the topmost one is the one described");
        assertEquals(MountCalls.MOUNT_ATTR_RDONLY | MountCalls.MOUNT_ATTR_NOSUID, meminfo.attributes());
        assertEquals(Path.of("/var/lib/proclens/proc/meminfo"), meminfo.source(Path.of("/var/lib/proclens")));
        assertEquals(1, stale.get(1).stacked());
    }

    @Test
    void aLiveBindOnTopOfADeadOneIsLeftAlone() {
        List<String> mountinfo = List.of(
                line(3, 40, "/proc/meminfo", "/proc/meminfo", "ro", "fuse.proclens"),
                line(4, 60, "/proc/meminfo", "/proc/meminfo", "ro", "fuse.proclens"));
        assertEquals(List.of(), StaleBind.find(mountinfo, Set.of(60L)));
    }
}
