package io.proclens.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mount --single-process --transport io-uring}: requests really come through the ring (the daemon's own
 * counts), a kernel that does not offer it gets the same answers over /dev/fuse, and the holder refuses it.
 */
@ExtendWith(UringEnabled.class)
class RingTransportIT {
    static final long MIB = 1024 * 1024;
    private static final Pattern SERVED = Pattern.compile("served (\\d+) requests over io_uring and (\\d+) over /dev/fuse");

    @TempDir
    Path temp;

    @Test
    void readsComeThroughTheRingAndACgroupSeesItsOwnMemory() throws Exception {
        long[] counts;
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), "--single-process", "--transport", "io-uring");
             TestCgroup cgroup = TestCgroup.create(256 * MIB, "0")) {
            assertTrue(daemon.output().contains("over io_uring"), daemon.output());
            String script = "for i in $(seq 200); do head -1 " + daemon.file("proc/meminfo") + "; done | sort | uniq -c;"
                    + " busybox cat " + daemon.file("proc/meminfo") + " | head -1;" // sendfile, then read(2)
                    + " ls " + daemon.file("sys/devices/system/cpu") + " | grep -c '^cpu[0-9]';"
                    + " cat " + daemon.file("sys/devices/system/cpu/online");
            List<String> lines = cgroup.run("sh", "-c", script).strip().lines().map(String::strip).toList();
            assertEquals(4, lines.size(), lines + "\n" + daemon.output());
            assertTrue(lines.get(0).matches("200 MemTotal: +262144 kB"), "200 reads by head: " + lines);
            assertTrue(lines.get(1).matches("MemTotal: +262144 kB"), "busybox cat: " + lines);
            assertEquals(List.of("1", "0"), lines.subList(2, 4), "one CPU directory, online 0: " + lines);
            assertEquals(0, daemon.terminate(), daemon.output());
            counts = served(daemon.output());
        }
        assertTrue(counts[0] >= 600, "at least open, read and release of 200 reads over the ring: " + counts[0]);
        assertTrue(counts[1] < counts[0] / 10, "/dev/fuse carries only forgets and the first requests: " + counts[1]);
    }

    @Test
    void withoutTheKernelsOfferTheSameAnswersComeOverDevFuse() throws Exception {
        String before = UringEnabled.get();
        UringEnabled.set("N");
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), "--single-process", "--transport", "io-uring");
             TestCgroup cgroup = TestCgroup.create(256 * MIB, "0")) {
            assertTrue(daemon.output().contains("does not offer FUSE over io_uring"), daemon.output());
            assertEquals("MemTotal:         262144 kB",
                    cgroup.run("sh", "-c", "busybox cat " + daemon.file("proc/meminfo") + " | head -1").strip());
            assertEquals(0, daemon.terminate(), daemon.output());
            long[] counts = served(daemon.output());
            assertEquals(0, counts[0], "nothing over a ring the kernel did not offer");
            assertTrue(counts[1] > 0, daemon.output());
        } finally {
            UringEnabled.set(before);
        }
    }

    @Test
    void theHolderAndUnknownTransportsAreRefusedWithAReason() throws Exception {
        Path mountpoint = temp.resolve("mnt");
        Host.Result holder = Host.run(Host.proclens("mount", "--foreground", mountpoint.toString(),
                "--transport", "io-uring"));
        assertNotEquals(0, holder.status());
        assertTrue(holder.output().contains("--transport io-uring needs --single-process"), holder.output());
        Host.Result unknown = Host.run(Host.proclens("mount", "--foreground", "--single-process",
                mountpoint.toString(), "--transport", "carrier-pigeon"));
        assertNotEquals(0, unknown.status());
        assertTrue(unknown.output().contains("expected dev or io-uring"), unknown.output());
        assertTrue(!Host.anyMountAt(mountpoint), "nothing was mounted");
    }

    /** The daemon's last counts: {over io_uring, over /dev/fuse}. */
    private static long[] served(String log) {
        Matcher matcher = SERVED.matcher(log);
        assertTrue(matcher.find(), "no counts in the log: " + log);
        return new long[]{Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))};
    }
}
