package io.proclens.fs;

import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import io.proclens.view.StatView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatFloorsTest {
    @TempDir
    Path root;

    private final AtomicLong clock = new AtomicLong();
    private final StatFloors floors = new StatFloors(1000, clock::get);

    private Cgroup cgroup(Path dir) {
        return Cgroup.of(Map.of(Controller.CPUACCT, new Location(Version.V1, dir, root)));
    }

    @Test
    void aFieldNeverGoesDownWhileItsCgroupLives() throws Exception {
        Cgroup a = cgroup(Files.createDirectory(root.resolve("a")));
        assertEquals(100, floors.of(a).advance("cpu0 0", 100));
        assertEquals(100, floors.of(a).advance("cpu0 0", 90));
        clock.addAndGet(StatFloors.SWEEP_NANOS * 3);
        assertEquals(100, floors.of(a).advance("cpu0 0", 90), "a live cgroup keeps its floor across sweeps");
        assertEquals(1, floors.instances());
    }

    @Test
    void aRemovedCgroupsFloorsAreForgottenAtTheNextSweepAndOneMadeAgainAtItsPathStartsAfresh() throws Exception {
        Path dir = Files.createDirectory(root.resolve("c"));
        Cgroup kept = cgroup(Files.createDirectory(root.resolve("kept")));
        for (int cpu = 0; cpu < 3; cpu++) floors.of(cgroup(dir)).advance("cpu" + cpu + " 0", 500);
        floors.of(kept).advance("cpu0 0", 7);
        assertEquals(4, floors.size());

        Files.delete(dir); // the container stopped
        Files.createDirectory(root.resolve("other")); // takes a new inode, so "c" below cannot get the old one back
        StatView.Floor beforeTheSweep = floors.of(kept);
        assertEquals(4, floors.size(), "not swept before its time");
        clock.addAndGet(StatFloors.SWEEP_NANOS);
        floors.of(kept).advance("cpu0 0", 1);
        assertEquals(1, floors.size(), "the removed cgroup's three fields are gone, the live one's stays");
        assertEquals(1, floors.instances());
        assertEquals(7, beforeTheSweep.advance("cpu0 0", 1));

        Files.createDirectory(dir); // the container started again at the same path
        assertEquals(3, floors.of(cgroup(dir)).advance("cpu0 0", 3), "its own numbers, not the old 500");
    }

    @Test
    void aCgroupMadeAgainAtTheSamePathBeforeTheSweepIsAnotherInstance() throws Exception {
        Path dir = Files.createDirectory(root.resolve("c"));
        floors.of(cgroup(dir)).advance("cpu0 0", 500);
        Files.delete(dir);
        Files.createDirectory(root.resolve("spacer"));
        Files.createDirectory(dir);
        assertEquals(3, floors.of(cgroup(dir)).advance("cpu0 0", 3));
        clock.addAndGet(StatFloors.SWEEP_NANOS);
        floors.sweepIfDue();
        assertEquals(1, floors.size(), "the old instance's field forgotten, the new one's kept");
    }
}
