package io.proclens.mounts;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountTableTest {
    static final MountTable MOUNTINFO = MountTable.parse(List.of(
            "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "35 22 0:31 / /var/lib/proclens rw,nosuid,nodev,relatime shared:5 - fuse.proclens proclens"
                    + " ro,user_id=0,group_id=0,default_permissions,allow_other",
            "36 22 0:32 / /tmp/with\\040space rw,relatime - tmpfs none rw",
            "37 35 0:33 / /var/lib/proclens rw,relatime - tmpfs other rw",
            "118 26 0:4 net:[4026532178] /run/netns/a rw - nsfs nsfs rw",
            "612 590 0:31 /proc/meminfo /proc/meminfo ro,nosuid,nodev,relatime master:5 - fuse.proclens proclens"
                    + " ro,user_id=0,group_id=0,default_permissions,allow_other"));

    @Test
    void findsTheTopmostMountAtAPath() {
        MountEntry top = MOUNTINFO.at(Path.of("/var/lib/proclens")).orElseThrow();
        assertEquals("tmpfs", top.fsType());
        assertEquals("other", top.source());
        assertEquals(33, top.minor());
    }

    @Test
    void aBindOfOneFileKeepsItsConnectionAndRoot() {
        MountEntry bind = MOUNTINFO.at(Path.of("/proc/meminfo")).orElseThrow();
        assertEquals(31, bind.minor(), "the connection of the mount it came from");
        assertEquals("/proc/meminfo", bind.root());
        assertTrue(bind.isProcFuse());
        assertFalse(MOUNTINFO.at(Path.of("/tmp/with space")).orElseThrow().isProcFuse());
    }

    @Test
    void aPseudoFilesystemsRootNeedNotBeAPath() {
        MountEntry netns = MOUNTINFO.at(Path.of("/run/netns/a")).orElseThrow();
        assertEquals("net:[4026532178]", netns.root());
        assertEquals("nsfs", netns.fsType());
        assertEquals(List.of("rw"), netns.options());
    }

    @Test
    void unescapesOctalEscapesOfMountinfo() {
        assertEquals("/tmp/with space", MountEntry.unescape("/tmp/with\\040space"));
        assertEquals("a\\b", MountEntry.unescape("a\\134b"));
        assertEquals("tmpfs", MOUNTINFO.at(Path.of("/tmp/with space")).orElseThrow().fsType());
    }

    @Test
    void unescapeLeavesBadEscapesAlone() {
        assertEquals("trailing\\04", MountEntry.unescape("trailing\\04"));
        assertEquals("a\\xyz", MountEntry.unescape("a\\xyz"));
        assertEquals("a\\477", MountEntry.unescape("a\\477"), "above \\377 is not a byte");
        assertEquals("\n", MountEntry.unescape("\\012"));
    }

    @Test
    void noMountAtAPlainDirectoryOrAPrefix() {
        assertTrue(MOUNTINFO.at(Path.of("/var/lib")).isEmpty());
        assertTrue(MOUNTINFO.at(Path.of("/var/lib/proclens/proc")).isEmpty());
    }

    @Test
    void skipsMalformedLines() {
        MountTable table = MountTable.parse(List.of("", "garbage", "1 2 3 4 /x no-dash", "1 2 x:y / /y a b c - t s o",
                "1 2 0:5 / /z rw - fuse.lxcfs lxcfs rw"));
        assertTrue(table.at(Path.of("/x")).isEmpty());
        assertTrue(table.at(Path.of("/y")).isEmpty());
        assertEquals(1, table.entries().size());
    }
}
