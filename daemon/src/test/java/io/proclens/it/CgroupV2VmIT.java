package io.proclens.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same integration tests on a pure cgroup v2 machine: a throw-away VM (../shared/tools/cgroup2-vm) boots
 * with cgroup_no_v1=all and runs there, with JUnit's console launcher and against the same daemon jar, the tests tagged
 * {@value #LAYOUT}: those whose answers depend on the cgroup layout ({@link MountIT}'s views, {@link LxcfsComparisonIT},
 * {@link LxcfsDifferentialIT}, a user namespace's reader). The daemon's life cycle does not (and a JVM start takes 35-40 s in the emulated VM).
 */
class CgroupV2VmIT {
    static final String JVM_CRASH = "A fatal error has been detected by the Java Runtime Environment";
    /** The tag of the tests run in the VM too. */
    static final String LAYOUT = "cgroup-layout";
    static final List<Class<?>> IN_VM = List.of(MountIT.class, LxcfsComparisonIT.class, LxcfsDifferentialIT.class,
            UserNamespaceIT.class, SendfileReadersIT.class, ViewsIT.class);
    /**
     * How many tests in {@link #IN_VM} have the tag: MountIT 2, LxcfsComparisonIT 1, LxcfsDifferentialIT 3,
     * UserNamespaceIT 1, SendfileReadersIT 1, ViewsIT 3.
     */
    static final int TAGGED = 11;

    @TempDir
    Path share;

    @Test
    void integrationTestsPassOnPureCgroupV2() throws Exception {
        Assumptions.assumeFalse(TestCgroup.pureV2(), "already on cgroup v2: the other tests cover it here");
        Host.assumeRootWithFuse();
        Path runner = Path.of(System.getProperty("proclens.root", "..")).resolve("../shared/tools/cgroup2-vm/run.sh")
                .normalize();
        Assumptions.assumeTrue(Files.isExecutable(runner), "no cgroup v2 VM runner at " + runner);

        Files.copy(Host.daemonJar(), share.resolve("proclens.jar"));
        Files.copy(consoleLauncherJar(), share.resolve("junit-console.jar"));
        copyTree(Path.of(CgroupV2VmIT.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                share.resolve("test-classes"));
        List<String> command = new ArrayList<>(List.of("java", "--enable-native-access=ALL-UNNAMED",
                "-Dproclens.jar=/mnt/share/proclens.jar", "-Dproclens.it.startSeconds=120",
                "-Dproclens.it.sendfileRounds=40", // 480 copies: every process start is slow in the emulated CPU
                "-jar", "/mnt/share/junit-console.jar", "execute", "--disable-banner", "--details=tree",
                "--class-path", "/mnt/share/test-classes:/mnt/share/proclens.jar")); // the tests use some of its names
        for (Class<?> test : IN_VM) command.add("--select-class=" + test.getName());
        command.add("--include-tag=" + LAYOUT);

        String output = "";
        int status = -1;
        for (int attempt = 1; attempt <= 2; attempt++) {
            ProcessBuilder vm = new ProcessBuilder(runner.toString(), String.join(" ", command)).redirectErrorStream(true);
            vm.environment().put("VM_SHARE", share.toString());
            vm.environment().put("VM_TIMEOUT", "900");
            // One virtual CPU: with two, QEMU's multi-threaded emulation let JVMs in the guest crash in freshly
            // patched JIT code (SIGSEGV 0x20 into C1 methods, twice in six runs); the tests need only one CPU.
            vm.environment().put("VM_SMP", "1");
            Process process = vm.start();
            output = new String(process.getInputStream().readAllBytes());
            status = process.waitFor();
            System.out.println(output);
            Files.writeString(Path.of("target/it/cgroup2-vm-" + attempt + ".log"), output); // the whole of it, for a reader of CI
            // The guest's CPU is emulated (QEMU TCG): once in a few runs a JVM in it dies of SIGSEGV in JIT-compiled
            // JDK code, which is the emulator's doing, not a test's. Run once more then, and say so; a second crash
            // fails the test like any other failure.
            if (status == 0 || !output.contains(JVM_CRASH)) break;
            System.out.println("CgroupV2VmIT: a JVM crashed inside the emulated VM (attempt " + attempt + "); running again");
        }

        assertEquals(0, status, "the tests in the cgroup v2 VM failed:\n" + failures(output) + "\n-- the whole output:\n" + output);
        assertEquals(0, count(output, "tests failed"), output);
        assertEquals(0, count(output, "tests skipped"), "nothing may be skipped in the VM:\n" + output);
        assertEquals(TAGGED, count(output, "tests successful"), output);
    }

    /** The launcher's list of failures, first in the message: CI shows only the beginning and the end of it. */
    static String failures(String output) {
        int from = output.indexOf("Failures (");
        if (from < 0) return "(the launcher listed no failures)";
        int to = output.indexOf("Test run finished", from);
        return output.substring(from, to < 0 ? Math.min(output.length(), from + 8000) : to);
    }

    private static long count(String output, String label) {
        Matcher m = Pattern.compile("\\[\\s*(\\d+) " + label + "\\s*]").matcher(output);
        assertTrue(m.find(), "no '" + label + "' in the launcher's summary:\n" + output);
        return Long.parseLong(m.group(1));
    }

    private static Path consoleLauncherJar() {
        Path jar = Path.of(System.getProperty("junit.console.jar", "target/it/junit-console.jar"));
        Assumptions.assumeTrue(Files.isRegularFile(jar), "JUnit's console launcher is not at " + jar);
        return jar;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) Files.createDirectories(target);
                else Files.copy(path, target);
            }
        }
    }
}
