package io.proclens.fuse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sysctl dance on a stand-in for /proc/sys/fs/fuse. */
class RequestTimeoutTest {
    @TempDir
    Path temp;

    private Path sysctls(String defaults, String max) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("fuse"));
        Files.writeString(dir.resolve("default_request_timeout"), defaults + "\n");
        Files.writeString(dir.resolve("max_request_timeout"), max + "\n");
        return dir;
    }

    @Test
    void setsTheDefaultForTheMountAndPutsItBack() throws Exception {
        Path dir = sysctls("0", "0");
        try (RequestTimeout timeout = RequestTimeout.forNextMount(60, dir, temp.resolve("lock"))) {
            assertEquals("60", Files.readString(dir.resolve("default_request_timeout")));
            assertEquals("request timeout 60 s", timeout.description());
        }
        assertEquals("0", Files.readString(dir.resolve("default_request_timeout")));
    }

    @Test
    void describesTheKernelFloor() throws Exception {
        try (RequestTimeout timeout = RequestTimeout.forNextMount(5, sysctls("0", "0"), temp.resolve("lock"))) {
            assertEquals("request timeout 15 s", timeout.description());
        }
    }

    @Test
    void leavesAnAdministratorsValueAlone() throws Exception {
        Path dir = sysctls("0", "300");
        try (RequestTimeout timeout = RequestTimeout.forNextMount(60, dir, temp.resolve("lock"))) {
            assertEquals("0", Files.readString(dir.resolve("default_request_timeout")).strip());
            assertTrue(timeout.description().contains("max_request_timeout=300"), timeout.description());
        }
        assertEquals("0", Files.readString(dir.resolve("default_request_timeout")).strip());
    }

    @Test
    void saysSoOnAKernelWithout() throws Exception {
        try (RequestTimeout timeout = RequestTimeout.forNextMount(60, temp.resolve("none"), temp.resolve("lock"))) {
            assertTrue(timeout.description().startsWith("no request timeout: this kernel has none"), timeout.description());
        }
    }

    @Test
    void zeroMeansNone() throws Exception {
        Path dir = sysctls("0", "0");
        try (RequestTimeout timeout = RequestTimeout.forNextMount(0, dir, temp.resolve("lock"))) {
            assertEquals("no request timeout", timeout.description());
            assertEquals("0", Files.readString(dir.resolve("default_request_timeout")).strip());
        }
    }
}
