package io.proclens.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads this machine's own cgroup files with {@link IoAccounting} and {@link SlabAccounting} (read only): whatever the
 * kernel prints there must parse. Skipped with a reason where there is no /proc or no such controller.
 */
class IoAndSlabRealMachineTest {
    private static final Path SELF_CGROUP = Path.of("/proc/self/cgroup");
    private Cgroup self;

    @BeforeEach
    void onLinuxWithCgroups() throws IOException {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "not Linux: no /proc to read");
        assumeTrue(Files.isReadable(SELF_CGROUP), "/proc/self/cgroup is not readable here");
        self = CgroupLayout.discover().cgroupOf(Files.readString(SELF_CGROUP));
    }

    @Test
    void ourIoNumbersParse() {
        assumeTrue(self.io().isPresent(), "no blkio/io controller for this process: " + self);
        Optional<List<DeviceIo>> devices = new IoAccounting().devices(self);
        devices.ifPresent(list -> {
            Set<String> seen = new HashSet<>();
            for (DeviceIo d : list) assertTrue(seen.add(d.major() + ":" + d.minor()), "listed twice: " + d);
        });
        if (self.io().get().version() == Cgroup.Version.V2) {
            assertEquals(Files.exists(self.io().get().dir().resolve("io.stat")), devices.isPresent());
        }
    }

    @Test
    void ourSlabinfoIsReadableOrAbsent() {
        assumeTrue(self.memory().isPresent(), "no memory controller for this process: " + self);
        Optional<String> text = new SlabAccounting().slabinfo(self);
        if (self.memory().get().version() == Cgroup.Version.V2) {
            assertEquals(Optional.empty(), text);
        } else if (Files.isReadable(self.memory().get().dir().resolve(SlabAccounting.FILE))) {
            // Since 5.9 the file is empty; before, it starts with the slabinfo header (or the read fails with EIO).
            text.ifPresent(t -> assertTrue(t.isEmpty() || t.startsWith("slabinfo - version: 2."), t));
        }
    }
}
