package io.proclens.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CgroupFilesTest {
    private static final Path FILE = Path.of("/sys/fs/cgroup/x/memory.current");

    @Test
    void counters() {
        assertEquals(0, CgroupFiles.parseCounter("0\n", FILE));
        assertEquals(Long.MAX_VALUE, CgroupFiles.parseCounter("9223372036854775807", FILE));
        assertEquals(42, CgroupFiles.parseCounter("  0042 \n", FILE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "-1", "+1", "9223372036854775808", "18446744073709551615", "max", "1 2", "١٢"})
    void malformedCounters(String text) {
        CgroupException e = assertThrows(CgroupException.class, () -> CgroupFiles.parseCounter(text, FILE));
        assertEquals(CgroupException.Kind.MALFORMED, e.kind());
        assertTrue(e.getMessage().contains(FILE.toString()), "names the file: " + e.getMessage());
    }

    @Test
    void limits() {
        assertEquals(MemoryStats.UNLIMITED, CgroupFiles.parseLimit("max\n", FILE, true));
        assertEquals(MemoryStats.UNLIMITED, CgroupFiles.parseLimit("9223372036854771712\n", FILE, false));
        assertEquals(MemoryStats.UNLIMITED, CgroupFiles.parseLimit("99999999999999999999999999", FILE, false));
        assertEquals((1L << 62) - 1, CgroupFiles.parseLimit(Long.toString((1L << 62) - 1), FILE, false));
        assertEquals(MemoryStats.UNLIMITED, CgroupFiles.parseLimit(Long.toString(1L << 62), FILE, false));
        assertEquals(0, CgroupFiles.parseLimit("0", FILE, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"max", "", "-1", "99999999999999999999999999x"})
    void malformedV1Limits(String text) {
        CgroupException e = assertThrows(CgroupException.class, () -> CgroupFiles.parseLimit(text, FILE, false));
        assertEquals(CgroupException.Kind.MALFORMED, e.kind());
    }

    @Test
    void longGarbageIsShortenedInTheMessage() {
        String garbage = "x".repeat(10_000);
        CgroupException e = assertThrows(CgroupException.class, () -> CgroupFiles.parseCounter(garbage, FILE));
        assertTrue(e.getMessage().length() < 300, e.getMessage()); // the file, the reason and 200 chars of it
    }

    @Test
    void flatKeyedFirstWinsAndSkipsOddLines() {
        Map<String, String> fields = CgroupFiles.flatKeyed("a 1\nb 2\na 3\n\nnovalue\n c 4\n");
        assertEquals(Map.of("a", "1", "b", "2"), fields);
        assertEquals(1, CgroupFiles.counterField(fields, "a", -1, FILE));
        assertEquals(-1, CgroupFiles.counterField(fields, "zzz", -1, FILE));
    }

    @Test
    void clampedSub() {
        assertEquals(0, CgroupFiles.clampedSub(1, 2));
        assertEquals(1, CgroupFiles.clampedSub(3, 2));
    }

    @Test
    void readOrNull(@TempDir Path dir) {
        assertNull(CgroupFiles.readOrNull(dir.resolve("absent")));
        Fixtures.write(dir.resolve("f"), "12\n");
        assertEquals("12\n", CgroupFiles.readOrNull(dir.resolve("f")));
        CgroupException e = assertThrows(CgroupException.class, () -> CgroupFiles.readOrNull(dir));
        assertEquals(CgroupException.Kind.IO_ERROR, e.kind(), "a directory is no file");
    }
}
