package io.proclens.control;

import io.proclens.render.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsFileTest {
    @TempDir
    Path dir;

    @Test
    void savedOptionsAreLoadedOverTheCommandLines() throws IOException {
        OptionsFile file = new OptionsFile(dir.resolve("run/options"));
        assertEquals(Optional.empty(), file.load(Options.DEFAULTS), "nothing saved yet");
        Options changed = new Options(true, false, false);
        file.save(changed);
        assertEquals(Optional.of(changed), file.load(new Options(false, true, true)));
        file.save(Options.DEFAULTS);
        assertEquals(Optional.of(Options.DEFAULTS), file.load(changed), "a later change replaces the earlier");
        assertFalse(Files.exists(dir.resolve("run/options.tmp")));
        file.delete();
        assertEquals(Optional.empty(), file.load(changed));
        file.delete(); // twice is fine
    }

    @Test
    void aFileThatHoldsNoOptionsIsAnErrorNotAChange() throws IOException {
        OptionsFile file = new OptionsFile(dir.resolve("options"));
        for (String text : new String[]{"", "\n", "enable-cfs=maybe", "rm -rf /", "enable-cfs=true\u0000"}) {
            Files.writeString(file.path(), text);
            IOException error = assertThrows(IOException.class, () -> file.load(Options.DEFAULTS), text);
            assertTrue(error.getMessage().contains(file.path().toString()), error.getMessage());
        }
    }

    @Test
    void eachMountpointHasItsOwnFileBesideItsControlSocket() {
        Path a = OptionsFile.of(Path.of("/var/lib/proclens")).path();
        Path b = OptionsFile.of(Path.of("/var/lib/lxcfs")).path();
        assertEquals(io.proclens.mounts.RunFiles.controlSocket(Path.of("/var/lib/proclens")).getParent(), a.getParent());
        assertEquals("options_var_lib_proclens", a.getFileName().toString());
        assertFalse(a.equals(b));
        assertEquals(a, OptionsFile.of(Path.of("/var/lib/proclens/")).path());
    }
}
