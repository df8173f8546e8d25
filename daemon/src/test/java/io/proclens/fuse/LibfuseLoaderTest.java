package io.proclens.fuse;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LibfuseLoaderTest {
    @Test
    void loadsTheInstalledLibfuse3ByItsRealFile() {
        Path file = LibfuseLoader.load().orElse(null);
        assumeTrue(file != null, "libfuse3 is not installed");
        assertTrue(file.getFileName().toString().startsWith("libfuse3.so."), file.toString());
        assertTrue(Files.isRegularFile(file), file.toString());
        assertEquals(file, LibfuseLoader.load().orElseThrow(), "loaded once");
        assertEquals(file, LibfuseLoader.mappedFile().orElseThrow());
    }
}
