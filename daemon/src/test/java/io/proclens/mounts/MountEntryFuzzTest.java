package io.proclens.mounts;

import static io.proclens.Hostile.outcome;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.Hostile;
import io.proclens.heal.StaleBind;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Hostile mountinfo lines and files: entries with sane numbers and absolute paths, or none; never an exception. */
class MountEntryFuzzTest {
    private static final String[] SEEDS = {
            "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n",
            "35 22 0:31 / /var/lib/proclens rw,nosuid,nodev,relatime shared:5 - fuse.proclens proclens ro,user_id=0\n",
            "36 22 0:32 / /tmp/with\\040space rw,relatime - tmpfs none rw\n",
            "612 590 0:31 /proc/meminfo /proc/meminfo ro,nosuid,nodev,relatime master:5 - fuse.lxcfs lxcfs ro\n",
            "118 26 0:4 net:[4026532178] /run/netns/a rw - nsfs nsfs rw\n"};

    @Provide
    Arbitrary<String> line() {
        return Hostile.text(SEEDS);
    }

    @Provide
    Arbitrary<String> file() {
        return Hostile.text(String.join("", SEEDS));
    }

    private static void assertSane(MountEntry e, Object input) {
        assertTrue(e.major() >= 0 && e.minor() >= 0, () -> "negative device number " + e + " of " + Hostile.shown(input));
        assertTrue(!e.root().isEmpty() && e.mountPoint().startsWith("/"),
                () -> "no root or a relative mount point: " + e + " of " + Hostile.shown(input));
    }

    @Property
    void aLineIsASaneEntryOrNone(@ForAll("line") String line) {
        for (String one : line.split("\n")) {
            Optional<MountEntry> entry = outcome(() -> MountEntry.parse(one), RuntimeException.class, null, one)
                    == null ? fail(one) : MountEntry.parse(one);
            entry.ifPresent(e -> assertSane(e, one));
        }
        List<StaleBind> stale = outcome(() -> StaleBind.find(List.of(line.split("\n")), Set.of()), Error.class, null, line);
        for (StaleBind bind : stale) {
            outcome(() -> bind.source(Path.of("/var/lib/proclens")), Error.class, null, line);
            assertTrue(bind.attributes() >= 0);
        }
    }

    private static Optional<MountEntry> fail(String line) {
        throw new AssertionError("MountEntry.parse threw on " + Hostile.shown(line));
    }

    @Property(tries = 150)
    void aMountinfoFileOfAnyBytesReadsAsSaneEntries(@ForAll("file") String text) {
        Path dir = Hostile.tempDir();
        try {
            Path file = dir.resolve("mountinfo");
            Hostile.write(file, text);
            MountTable table = outcome(() -> MountTable.read(file), Error.class, null, text);
            for (MountEntry e : table.entries()) assertSane(e, text);
        } finally {
            Hostile.deleteTree(dir);
        }
    }

    /** What the kernel's mangle does to a path: space, tab, newline and backslash as three octal digits. */
    private static String mangle(String path) {
        StringBuilder out = new StringBuilder();
        for (byte b : path.getBytes(UTF_8)) {
            int c = b & 0xff;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\') out.append(String.format("\\%03o", c));
            else out.append((char) c);
        }
        return new String(out.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), UTF_8);
    }

    @Property
    void unescapeUndoesTheKernelsMangling(@ForAll("line") String path) {
        String valid = new String(path.getBytes(UTF_8), UTF_8); // lone surrogates become '?'
        assertEquals(valid, MountEntry.unescape(mangle(valid)));
    }
}
