package io.proclens.control;

import io.proclens.render.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlServerTest {
    @TempDir
    Path dir;

    private final AtomicReference<Options> options = new AtomicReference<>(Options.DEFAULTS);
    private final AtomicLong handles = new AtomicLong();

    /** What a daemon would count: read anew on every request. */
    private SequencedMap<String, Long> counts() {
        SequencedMap<String, Long> counts = new LinkedHashMap<>();
        counts.put("handles", handles.get());
        counts.put("cache", 12L);
        return counts;
    }

    /** A "stats" reply as NAME -> number, failing on any pair that is not NAME=NUMBER. */
    private static Map<String, Long> parse(String reply) {
        Map<String, Long> pairs = new LinkedHashMap<>();
        for (String pair : reply.split(" ")) {
            String[] parts = pair.split("=", 2);
            assertEquals(2, parts.length, "not NAME=NUMBER: '" + pair + "' in " + reply);
            pairs.put(parts[0], Long.parseLong(parts[1]));
        }
        return pairs;
    }

    @Test
    void getAndSetOverTheSocket() throws Exception {
        Path socket = dir.resolve("run/control.sock");
        try (ControlServer server = ControlServer.start(socket, options::get, options::set, this::counts)) {
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
        try (ControlServer server = ControlServer.start(socket, options::get, options::set, this::counts)) {
            assertTrue(ControlClient.send(socket, "set enable-cfs=true nonsense=1").startsWith("error: unknown option"));
            assertTrue(ControlClient.send(socket, "set enable-cfs=yes").startsWith("error: 'enable-cfs=yes'"));
            assertTrue(ControlClient.send(socket, "set").startsWith("error: unknown request"));
            assertTrue(ControlClient.send(socket, "set   ").startsWith("error:"));
            assertTrue(ControlClient.send(socket, "reboot").startsWith("error: unknown request"));
            assertTrue(ControlClient.send(socket, "stats now").startsWith("error: unknown request"));
            assertTrue(ControlClient.send(socket, "x".repeat(5000)).startsWith("error: request longer"));
            assertEquals(Options.DEFAULTS, options.get());
            assertEquals(Options.DEFAULTS.toString(), ControlClient.send(socket, "get"), "still serving after bad requests");
        }
    }

    @Test
    void statsAnswersTheDaemonsCountsThenTheJvmsMemory() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ControlServer server = ControlServer.start(socket, options::get, options::set, this::counts)) {
            handles.set(3);
            String reply = ControlClient.send(socket, "stats");
            assertTrue(reply.startsWith("handles=3 cache=12 heap_after_gc="), reply);
            Map<String, Long> first = parse(reply);
            assertEquals(java.util.List.of("handles", "cache", "heap_after_gc", "heap_used", "metaspace"),
                    java.util.List.copyOf(first.keySet()));
            assertTrue(first.get("heap_used") > 0, reply);
            assertTrue(first.get("metaspace") > 0, reply);

            // After a requested full collection the heap pools were all just collected: their sum is what survived.
            handles.set(0);
            Map<String, Long> collected = parse(ControlClient.send(socket, "stats gc"));
            assertEquals(0, collected.get("handles"), "counts are read anew on each request");
            assertTrue(collected.get("heap_after_gc") > 0, collected.toString());
            assertTrue(collected.get("heap_after_gc") <= Runtime.getRuntime().totalMemory(), collected.toString());
            assertEquals(Options.DEFAULTS, options.get(), "stats changes no option");
        }
    }

    @Test
    void aStaleSocketLeftByAKilledDaemonIsReplaced() throws Exception {
        Path socket = Files.writeString(dir.resolve("control.sock"), "stale");
        try (ControlServer server = ControlServer.start(socket, options::get, options::set, this::counts)) {
            assertEquals(Options.DEFAULTS.toString(), ControlClient.send(socket, "get"));
        }
    }
}
