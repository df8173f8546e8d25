package io.proclens.mounts;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RunFilesTest {
    @Test
    void namesFollowTheMountpointSoThatSeveralDaemonsNeverShareOne() {
        Path lxcfs = Path.of("/var/lib/lxcfs");
        assertEquals(Path.of("/run/proclens/control_var_lib_lxcfs.sock"), RunFiles.controlSocket(lxcfs));
        assertEquals(Path.of("/run/proclens/holder_var_lib_lxcfs.sock"), RunFiles.holderSocket(lxcfs));
        assertEquals(Path.of("/run/proclens/options_var_lib_lxcfs"), RunFiles.options(lxcfs));
        assertEquals(Path.of("/run/proclens/daemon_var_lib_proclens.pid"), RunFiles.pidFile(Path.of("/var/lib/proclens/")));
        assertEquals(RunFiles.controlSocket(Path.of("/a/b")), RunFiles.controlSocket(Path.of("/a/./c/../b")));
    }
}
