package io.proclens.render;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.Hostile;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Hostile /proc/uptime: BootTicks never throws and never gives a negative (wrapped) now. */
class BootTicksFuzzTest {
    @Provide
    Arbitrary<String> uptime() {
        return Hostile.text("258.06 1000.50\n", "9223372036.85 1.00\n", "0.00 0.00\n", "92233720368.54 0\n", "9223372036.854775807 0\n");
    }

    @Property(tries = 300)
    void nowIsNeverNegative(@ForAll("uptime") String text) {
        Path proc = Hostile.tempDir();
        try {
            Hostile.write(proc.resolve("uptime"), text);
            BootTicks ticks = Hostile.outcome(() -> new BootTicks(proc), Error.class, null, text);
            long now = ticks.getAsLong();
            assertTrue(now >= 0, () -> "negative now " + now + " from " + Hostile.shown(text));
        } finally {
            Hostile.deleteTree(proc);
        }
    }
}
