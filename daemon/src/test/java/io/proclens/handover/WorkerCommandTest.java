package io.proclens.handover;

import io.proclens.handover.Supervisor.WorkerCommand;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a worker's command line is made from the holder's, with and without the launcher's worker options. */
class WorkerCommandTest {
    static final List<String> HOLDER = List.of("--enable-native-access=ALL-UNNAMED", "-Xint", "-Xmx16m",
            "-XX:AOTCache=/opt/proclens.aot", "-XX:ErrorFile=/var/log/x/proclens-crash-%p.log",
            "-jar", "/opt/proclens.jar", "mount", "--foreground", "/mnt");

    @Test
    void withoutTheLaunchersOptionsAWorkerRunsWithTheHoldersOwn() {
        WorkerCommand command = WorkerCommand.ofCommandLine("/jdk/bin/java", HOLDER, null, List.of("--threads", "2"),
                Path.of("/mnt"));
        assertEquals(List.of("/jdk/bin/java", "--enable-native-access=ALL-UNNAMED", "-Xint", "-Xmx16m",
                        "-XX:AOTCache=/opt/proclens.aot", "-XX:ErrorFile=/var/log/x/proclens-crash-%p.log",
                        "-jar", "/opt/proclens.jar", "serve", "--worker", "3", "--holder", "/run/h.sock",
                        "--threads", "2", "/mnt"),
                command.forWorker(Path.of("/opt/proclens.jar"), 3, Path.of("/run/h.sock")));
    }

    @Test
    void theLaunchersOptionsReplaceTheHoldersButItsCrashReportDirectoryStays() {
        String launcher = "--enable-native-access=ALL-UNNAMED\n-XX:TieredStopAtLevel=1\n"
                + "-XX:AOTCache=/opt/proclens.aot\n-XX:ErrorFile=/var/log/proclens-crash-%p.log\n\n";
        WorkerCommand command = WorkerCommand.ofCommandLine("/jdk/bin/java", HOLDER, launcher, List.of(),
                Path.of("/mnt"));
        assertEquals(List.of("/jdk/bin/java", "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                        "-XX:AOTCache=/opt/proclens.aot", "-XX:ErrorFile=/var/log/proclens-crash-%p.log",
                        "-XX:ErrorFile=/var/log/x/proclens-crash-%p.log", "-jar", "/opt/proclens.jar", "serve",
                        "--worker", "1", "--holder", "/run/h.sock", "/mnt"),
                command.forWorker(Path.of("/opt/proclens.jar"), 1, Path.of("/run/h.sock")));
        assertEquals("/var/log/x/proclens-crash-42.log (or /tmp/hs_err_pid42.log)", command.crashReport(42));
    }

    @Test
    void anUpgradesJarRunsWithoutTheCacheMadeForTheOldOne() {
        WorkerCommand command = WorkerCommand.ofCommandLine("/jdk/bin/java", HOLDER, null, List.of(), Path.of("/mnt"));
        List<String> cmd = command.forWorker(Path.of("/opt/proclens-2.jar"), 2, Path.of("/run/h.sock"));
        assertEquals(-1, cmd.indexOf("-XX:AOTCache=/opt/proclens.aot"), cmd.toString());
        assertEquals("/opt/proclens-2.jar", cmd.get(cmd.indexOf("-jar") + 1));
    }

    @Test
    void aHolderWithoutErrorFileNamesTheJvmsDefault() {
        WorkerCommand command = WorkerCommand.ofCommandLine("/jdk/bin/java",
                List.of("-Xint", "-jar", "/opt/proclens.jar", "mount"), null, List.of(), Path.of("/mnt"));
        assertEquals("hs_err_pid7.log in " + Path.of("").toAbsolutePath() + " (or /tmp)", command.crashReport(7));
    }

    @Test
    void aWorkerKilledByASignalIsToldApartFromOneThatExited() {
        assertEquals("exited with status 1", HolderState.howItEnded(1));
        assertEquals("was killed by SIGKILL (9)", HolderState.howItEnded(137));
        assertEquals("was killed by SIGABRT (6): its JVM crashed", HolderState.howItEnded(134));
        assertEquals("was killed by signal 31", HolderState.howItEnded(159));
        assertEquals("exited with status 255", HolderState.howItEnded(255));
    }
}
