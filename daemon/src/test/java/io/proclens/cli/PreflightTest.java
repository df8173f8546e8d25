package io.proclens.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreflightTest {
    @Test
    void missingFuseDeviceSaysWhatToDo(@TempDir Path dir) {
        UserError error = assertThrows(UserError.class, () -> Preflight.checkDevice(dir.resolve("fuse")));
        assertTrue(error.getMessage().endsWith("fuse is missing: load the fuse module (modprobe fuse), or in a"
                + " container pass --device /dev/fuse"), error.getMessage());
        assertEquals(1, error.getMessage().lines().count());
    }

    @Test
    void libfuseVersionIsReadFromTheLibrary() {
        // On machines with libfuse3 (all where the daemon can run) the version is "3.x.y".
        Preflight.libfuseVersion().ifPresent(v -> assertTrue(v.matches("3\\.\\d+(\\.\\d+)?.*"), v));
    }
}
