package io.proclens.it;

import io.proclens.soak.SoakVerdict;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * scripts/soak.sh for a few minutes with the built jar: mixed load, cgroup churn and pid namespaces, and no growth
 * of the daemon's memory, descriptors, threads or caches after its warm-up. The script makes the load and samples;
 * {@link SoakVerdict} judges the samples here. The whole output stays in target/it/soak.log, the daemon's log and
 * the raw samples in target/it/soak/.
 */
class SoakIT {
    /** Long enough for the cache's first idle sweeps (30 s apart) to fall after the warm-up; hours by hand. */
    static final int SECONDS = Integer.getInteger("proclens.it.soakSeconds", 150);

    @Test
    void theDaemonHoldsSteadyUnderMixedLoad() throws Exception {
        Host.assumeRootWithFuse();
        Path script = Path.of(System.getProperty("proclens.root", "..")).resolve("scripts/soak.sh").toAbsolutePath()
                .normalize();
        assumeTrue(Files.isExecutable(script), "no scripts/soak.sh at " + script);
        Path jar = Host.daemonJar();
        Path out = Path.of("target/it").toAbsolutePath();
        Files.createDirectories(out);
        Path log = out.resolve("soak.log");
        ProcessBuilder builder = new ProcessBuilder(List.of(script.toString(), Integer.toString(SECONDS)))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PROCLENS_JAR", jar.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // the daemon runs on our JDK
        builder.environment().put("SOAK_KEEP", out.resolve("soak").toString());
        builder.environment().put("SOAK_VERDICT", "0");
        Files.deleteIfExists(out.resolve("soak/samples.tsv")); // a previous run's must not be judged
        Process soak = builder.start();
        soak.getOutputStream().close();
        // The rounds end at most one round (10 s) and a sample after SECONDS; then the verdict and the cleanup.
        if (!soak.waitFor(SECONDS + 240, TimeUnit.SECONDS)) {
            soak.destroy(); // SIGTERM: its trap removes the readers, cgroups, daemon and mount
            if (!soak.waitFor(60, TimeUnit.SECONDS)) soak.destroyForcibly();
            fail("soak.sh did not end within " + (SECONDS + 240) + " s:\n" + tail(log));
        }
        assertEquals(0, soak.exitValue(), () -> "soak.sh failed (whole output in " + log + "):\n" + tail(log));
        List<SoakVerdict.Check> checks = SoakVerdict.judge(
                SoakVerdict.parse(Files.readAllLines(out.resolve("soak/samples.tsv"))));
        String report = String.join("\n", checks.stream().map(SoakVerdict.Check::toString).toList());
        Files.writeString(log, "\n" + report + "\n", java.nio.file.StandardOpenOption.APPEND);
        assertTrue(SoakVerdict.passed(checks), () -> "the soak's verdict:\n" + report + "\n\n" + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
