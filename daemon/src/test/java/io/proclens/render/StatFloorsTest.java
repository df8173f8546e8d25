package io.proclens.render;

import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import io.proclens.cgroup.Cgroup;
import io.proclens.view.StatView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(100, floors.of(a).advance(1, 0, 100));
        assertEquals(100, floors.of(a).advance(1, 0, 90));
        assertEquals(90, floors.of(a).advance(0, 0, 90), "another line, another floor");
        assertEquals(90, floors.of(a).advance(1, 1, 90), "another field, another floor");
        clock.addAndGet(StatFloors.SWEEP_NANOS * 3);
        assertEquals(100, floors.of(a).advance(1, 0, 90), "a live cgroup keeps its floor across sweeps");
        assertEquals(1, floors.instances());
    }

    @Test
    void aRemovedCgroupsFloorsAreForgottenAtTheNextSweepAndOneMadeAgainAtItsPathStartsAfresh() throws Exception {
        Path dir = Files.createDirectory(root.resolve("c"));
        Cgroup kept = cgroup(Files.createDirectory(root.resolve("kept")));
        for (int cpu = 0; cpu < 3; cpu++) floors.of(cgroup(dir)).advance(cpu + 1, 0, 500);
        floors.of(kept).advance(1, 0, 7);
        assertEquals(2, floors.rows());
        assertEquals(32 + 16, floors.size(), "cpu0 to cpu2 (indexes 10 to 30): a row of 32; kept's cpu0: 16");

        Files.delete(dir); // the container stopped
        Files.createDirectory(root.resolve("other")); // takes a new inode, so "c" below cannot get the old one back
        StatView.Floor beforeTheSweep = floors.of(kept);
        assertEquals(2, floors.rows(), "not swept before its time");
        clock.addAndGet(StatFloors.SWEEP_NANOS);
        floors.of(kept).advance(1, 0, 1);
        assertEquals(1, floors.rows(), "the removed cgroup's row is gone, the live one's stays");
        assertEquals(16, floors.size());
        assertEquals(1, floors.instances());
        assertEquals(7, beforeTheSweep.advance(1, 0, 1));

        Files.createDirectory(dir); // the container started again at the same path
        assertEquals(3, floors.of(cgroup(dir)).advance(1, 0, 3), "its own numbers, not the old 500");
    }

    @Test
    void aCgroupMadeAgainAtTheSamePathBeforeTheSweepIsAnotherInstance() throws Exception {
        Path dir = Files.createDirectory(root.resolve("c"));
        floors.of(cgroup(dir)).advance(1, 0, 500);
        Files.delete(dir);
        Files.createDirectory(root.resolve("spacer"));
        Files.createDirectory(dir);
        assertEquals(3, floors.of(cgroup(dir)).advance(1, 0, 3));
        assertEquals(2, floors.rows());
        clock.addAndGet(StatFloors.SWEEP_NANOS);
        floors.sweepIfDue();
        assertEquals(1, floors.rows(), "the old instance's row forgotten, the new one's kept");
        assertEquals(3, floors.of(cgroup(dir)).advance(1, 0, 1));
    }

    /** Every field of 65 lines (64 CPUs), each its own value, through one render's floor. */
    private static void render64(StatView.Floor floor, long base) {
        for (int line = 0; line < 65; line++) {
            for (int f = 0; f < StatView.FIELD_COUNT; f++) floor.advance(line, f, base + line * 10 + f);
        }
    }

    @Test
    void twoHundredCgroupsOnA64CpuHostKeepEveryFloorAtTheCapacity() throws Exception {
        StatFloors big = new StatFloors(StatFloors.CAPACITY, clock::get);
        Cgroup[] cgroups = new Cgroup[200];
        for (int i = 0; i < cgroups.length; i++) {
            cgroups[i] = cgroup(Files.createDirectory(root.resolve("c" + i)));
            render64(big.of(cgroups[i]), 1000 * i + 1);
        }
        assertEquals(200, big.rows());
        assertEquals(200 * 1024, big.size(), "650 fields: rows of 1024");
        for (int i = 0; i < cgroups.length; i++) {
            StatView.Floor floor = big.of(cgroups[i]);
            for (int line = 0; line < 65; line++) {
                for (int f = 0; f < StatView.FIELD_COUNT; f++) {
                    assertEquals(1000 * i + 1 + line * 10 + f, floor.advance(line, f, 0), i + " " + line + " " + f);
                }
            }
        }
    }

    @Test
    void theCapacityHolds2048CgroupsOf64CpusAndThe2049thEvictsTheLeastRecentlyUsed() throws Exception {
        StatFloors big = new StatFloors(StatFloors.CAPACITY, clock::get);
        Cgroup first = cgroup(Files.createDirectory(root.resolve("first")));
        render64(big.of(first), 7);
        for (int i = 1; i < 2048; i++) render64(big.of(cgroup(Files.createDirectory(root.resolve("c" + i)))), 1);
        assertEquals(2048, big.rows());
        assertEquals(StatFloors.CAPACITY, big.size());
        assertEquals(7, big.of(first).advance(0, 0, 0), "all kept at the capacity");
        // the others are now more recent than "first": one more cgroup evicts from the oldest, "first" among them
        for (int i = 1; i < 2048; i++) render64(big.of(cgroup(root.resolve("c" + i))), 1);
        render64(big.of(cgroup(Files.createDirectory(root.resolve("more")))), 1);
        assertTrue(big.size() <= StatFloors.CAPACITY - StatFloors.CAPACITY / 8, "down by an eighth: " + big.size());
        assertEquals(0, big.of(first).advance(0, 0, 0), "its floors forgotten");
    }
}
