package io.proclens.control;

import io.proclens.fs.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlServerTest {
    @TempDir
    Path dir;

    private final AtomicReference<Options> options = new AtomicReference<>(Options.DEFAULTS);

    @Test
    void getAndSetOverTheSocket() throws Exception {
        Path socket = dir.resolve("run/control.sock");
        try (ControlServer server = ControlServer.start(socket, options::get, options::set)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("enable-cfs=false enable-loadavg=false disable-swap=false", ControlClient.send(socket, "get"));
            assertEquals("enable-cfs=true enable-loadavg=true disable-swap=true",
                    ControlClient.send(socket, "set enable-cfs=true enable-loadavg=true disable-swap=true"));
            assertEquals(new Options(true, true, false), options.get());
        }
        assertFalse(Files.exists(socket), "the socket is removed on close");
    }

    @Test
    void aBadRequestChangesNothing() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ControlServer server = ControlServer.start(socket, options::get, options::set)) {
            assertTrue(ControlClient.send(socket, "set enable-cfs=true nonsense=1").startsWith("error: unknown option"));
            assertTrue(ControlClient.send(socket, "set enable-cfs=yes").startsWith("error: 'enable-cfs=yes'"));
            assertTrue(ControlClient.send(socket, "set").startsWith("error: unknown request"));
            assertTrue(ControlClient.send(socket, "set   ").startsWith("error:"));
            assertTrue(ControlClient.send(socket, "reboot").startsWith("error: unknown request"));
            assertTrue(ControlClient.send(socket, "x".repeat(5000)).startsWith("error: request longer"));
            assertEquals(Options.DEFAULTS, options.get());
            assertEquals(Options.DEFAULTS.toString(), ControlClient.send(socket, "get"), "still serving after bad requests");
        }
    }

    @Test
    void aStaleSocketLeftByAKilledDaemonIsReplaced() throws Exception {
        Path socket = Files.writeString(dir.resolve("control.sock"), "stale");
        try (ControlServer server = ControlServer.start(socket, options::get, options::set)) {
            assertEquals(Options.DEFAULTS.toString(), ControlClient.send(socket, "get"));
        }
    }

    @Test
    void socketNameFollowsTheMountpoint() {
        assertEquals(Path.of("/run/proclens/control_var_lib_lxcfs.sock"), ControlServer.socketFor(Path.of("/var/lib/lxcfs")));
    }
}
