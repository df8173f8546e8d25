package io.proclens.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.proclens.it.ProcFiles.kb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon on libfuse 3.17 or newer, where the soname is libfuse3.so.4 and fuse_session_new an inline wrapper
 * of fuse_session_new_versioned (see fuse/SessionFactory). Debian 12 has 3.14 only and newer Debian packages need a
 * newer glibc, so this needs a build of libfuse 3.17+ from its sources: a directory holding its libfuse3.so.4, in
 * $PROCLENS_LIBFUSE4 (default /opt/libfuse-318/build/lib); skipped without one.
 */
class NewerLibfuseIT {
    static final long MIB = 1024 * 1024;

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    @Test
    void servesThroughLibfuse317OrNewer() throws Exception {
        Path built = Path.of(System.getenv().getOrDefault("PROCLENS_LIBFUSE4", "/opt/libfuse-318/build/lib"));
        Path library = built.resolve("libfuse3.so.4");
        Assumptions.assumeTrue(Files.exists(library), "no libfuse 3.17+ build at " + built
                + " (a directory with libfuse3.so.4, built from libfuse's sources; set PROCLENS_LIBFUSE4)");
        // The daemon asks the dynamic linker for libfuse3.so.3 first: name the newer library so, ahead of Debian's.
        Path first = Files.createDirectory(temp.resolve("lib"));
        Files.createSymbolicLink(first.resolve("libfuse3.so.3"), library.toRealPath());
        try (Daemon daemon = Daemon.start(Map.of("LD_LIBRARY_PATH", first.toString()), temp.resolve("mnt"));
             TestCgroup cgroup = TestCgroup.create(256 * MIB, "0")) {
            String version = version(daemon.output());
            System.out.println("NewerLibfuseIT: serving with libfuse " + version);
            assertTrue(version.matches("3\\.(1[7-9]|[2-9]\\d)\\..*"), "not 3.17 or newer: " + daemon.output());
            assertEquals(262144, kb(cgroup.run("cat", daemon.file("proc/meminfo").toString()), "MemTotal"));
            assertEquals("0", cgroup.run("cat", daemon.file("sys/devices/system/cpu/online").toString()).strip());
            assertEquals(0, daemon.terminate(), daemon.output());
            assertTrue(!Host.anyMountAt(daemon.mountpoint), "still mounted after SIGTERM");
        }
    }

    /** The libfuse version the serving worker names in its "serving" line. */
    private static String version(String log) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("libfuse ([0-9.]+)").matcher(log);
        if (!matcher.find()) throw new AssertionError("no libfuse version in the log: " + log);
        return matcher.group(1);
    }
}
