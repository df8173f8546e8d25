package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The scripts a user types: the launcher and the install step. */
class LauncherIT {
    private Path scripts;

    @BeforeEach
    void findScripts() {
        scripts = Path.of(System.getProperty("proclens.root", "..")).resolve("scripts").toAbsolutePath().normalize();
        assumeTrue(Files.isExecutable(scripts.resolve("proclens")), "no scripts/proclens at " + scripts);
        Host.daemonJar();
    }

    @Test
    void withoutAJdkTheLauncherSaysWhatToInstallInOneLine() throws Exception {
        assumeTrue(Host.isRoot(), "needs root to hide /usr/lib/jvm in a mount namespace");
        // No JDK anywhere the launcher looks: /usr/lib/jvm hidden under an empty tmpfs, JAVA_HOME unset.
        Host.Result result = Host.run("env", "-u", "JAVA_HOME", "unshare", "--mount", "sh", "-c",
                "mount -t tmpfs none /usr/lib/jvm && exec " + scripts.resolve("proclens") + " --help");
        assertEquals(1, result.status(), result.output());
        assertEquals(1, result.output().lines().count(), result.output());
        assertTrue(result.output().startsWith("proclens: no JDK 22 or newer"), result.output());
    }

    @Test
    void installPutsAWorkingCommandIntoACleanTree(@TempDir Path prefix) throws Exception {
        Host.Result install = Host.run(scripts.resolve("install.sh").toString(), "--prefix", prefix.toString());
        assertEquals(0, install.status(), install.output());
        Path command = prefix.resolve("bin/proclens");
        assertTrue(Files.isSymbolicLink(command));
        Host.Result version = Host.run(command.toString(), "version");
        assertEquals(0, version.status(), version.output());
        assertTrue(version.output().startsWith("proclens "), version.output());
        assertTrue(version.output().contains("libfuse 3."), version.output());
        Host.Result help = Host.run(command.toString(), "mount", "--help");
        assertTrue(help.output().contains("--threads"), help.output());
    }
}
