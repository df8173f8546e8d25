package io.proclens.fuse;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountpointTest {
    static final List<String> MOUNTINFO = List.of(
            "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "35 22 0:31 / /var/lib/proclens rw,nosuid,nodev,relatime shared:5 - fuse.proclens proclens"
                    + " ro,user_id=0,group_id=0,default_permissions,allow_other",
            "36 22 0:32 / /tmp/with\\040space rw,relatime - tmpfs none rw",
            "37 35 0:33 / /var/lib/proclens rw,relatime - tmpfs other rw");

    @Test
    void findsTheTopmostMountAtAPath() {
        Mountpoint.Mount top = Mountpoint.mountAt(Path.of("/var/lib/proclens"), MOUNTINFO).orElseThrow();
        assertEquals("tmpfs", top.type());
        assertEquals("other", top.source());
        assertEquals(33, top.minor());
    }

    @Test
    void unescapesOctalEscapesOfMountinfo() {
        assertEquals("/tmp/with space", Mountpoint.unescape("/tmp/with\\040space"));
        assertEquals("a\\b", Mountpoint.unescape("a\\134b"));
        assertEquals("trailing\\04", Mountpoint.unescape("trailing\\04"));
        assertEquals("tmpfs", Mountpoint.mountAt(Path.of("/tmp/with space"), MOUNTINFO).orElseThrow().type());
    }

    @Test
    void noMountAtAPlainDirectoryOrAPrefix() {
        assertTrue(Mountpoint.mountAt(Path.of("/var/lib"), MOUNTINFO).isEmpty());
        assertTrue(Mountpoint.mountAt(Path.of("/var/lib/proclens/proc"), MOUNTINFO).isEmpty());
    }

    @Test
    void ignoresMalformedLines() {
        assertTrue(Mountpoint.mountAt(Path.of("/x"), List.of("", "garbage", "1 2 3 4 /x no-dash")).isEmpty());
    }
}
