package io.proclens.fuse;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SessionFactoryTest {
    @Test
    void versionedEntryFromLibfuse317On() {
        assertFalse(SessionFactory.needsVersionedEntry(314));
        assertFalse(SessionFactory.needsVersionedEntry(316));
        assertTrue(SessionFactory.needsVersionedEntry(317));
        assertTrue(SessionFactory.needsVersionedEntry(318));
    }

    @Test
    void loadedLibfuseReportsAVersion3() {
        int version;
        try {
            version = SessionFactory.libraryVersion();
        } catch (Throwable t) {
            assumeTrue(false, "libfuse3 is not installed: " + t);
            return;
        }
        assertTrue(version >= 300 && version < 400, "fuse_version() = " + version);
    }
}
