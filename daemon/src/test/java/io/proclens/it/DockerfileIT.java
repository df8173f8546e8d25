package io.proclens.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/kubernetes/Dockerfile without a Docker build: no base image can be pulled here, so its steps run as a
 * script in a private mount namespace whose /opt and /usr/local/bin are empty tmpfs, as in the base image: the
 * COPY steps copy, the RUN steps run (all but the apt-get step, which needs the image's package mirror: its
 * packages are checked to exist), and the entrypoint then starts the jar on a JRE found on PATH, as the image's
 * JAVA_HOME/bin is.
 */
class DockerfileIT {
    private static final Path ROOT = Path.of(System.getProperty("proclens.root", "..")).toAbsolutePath().normalize();

    record Instruction(String keyword, String arguments) {
    }

    /** Dockerfile instructions: comments dropped, backslash continuations joined. */
    static List<Instruction> parse(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (current.isEmpty() && (t.isEmpty() || t.startsWith("#"))) continue;
            if (t.startsWith("#")) continue;
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            String joined = current.toString().strip();
            current.setLength(0);
            int space = joined.indexOf(' ');
            out.add(new Instruction(joined.substring(0, space).toUpperCase(), joined.substring(space + 1).strip()));
        }
        return out;
    }

    @Test
    void theStepsRunAndTheEntrypointStartsTheJar() throws Exception {
        Assumptions.assumeTrue(Host.isRoot(), "needs root: the steps run in a private mount namespace");
        Assumptions.assumeTrue(Host.hasCommand("unshare"), "needs unshare (util-linux)");
        Host.daemonJar();
        List<Instruction> steps = parse(Files.readString(ROOT.resolve("scripts/kubernetes/Dockerfile")));
        assertEquals("FROM", steps.getFirst().keyword());
        assertTrue(steps.getFirst().arguments().matches("eclipse-temurin:25-jre.*"), steps.getFirst().toString());
        List<String> allowed = Files.readAllLines(ROOT.resolve("scripts/kubernetes/Dockerfile.dockerignore")).stream()
                .filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();

        StringBuilder script = new StringBuilder("set -eu\nmount -t tmpfs tmpfs /opt\nmount -t tmpfs tmpfs /usr/local/bin\ncd '")
                .append(ROOT).append("'\n");
        String entrypoint = null;
        boolean aptChecked = false;
        for (Instruction step : steps.subList(1, steps.size())) {
            switch (step.keyword()) {
                case "COPY" -> {
                    String[] parts = step.arguments().split("\\s+");
                    assertEquals(2, parts.length, "one source per COPY: " + step);
                    assertTrue(allowed.contains(parts[0]), parts[0] + " is left out of the build context by Dockerfile.dockerignore");
                    assertTrue(Files.exists(ROOT.resolve(parts[0])), parts[0] + " missing");
                    script.append("mkdir -p \"$(dirname '").append(parts[1]).append("')\" && cp '").append(parts[0])
                            .append("' '").append(parts[1]).append("'\n");
                }
                case "RUN" -> {
                    if (step.arguments().contains("apt-get install")) {
                        checkPackages(step.arguments());
                        aptChecked = true;
                    } else {
                        script.append(step.arguments()).append('\n');
                    }
                }
                case "ENTRYPOINT" -> entrypoint = step.arguments();
                case "CMD", "ENV", "LABEL", "WORKDIR", "USER" -> { }
                default -> throw new AssertionError("the test does not know " + step);
            }
        }
        assertTrue(aptChecked, "no apt-get step installs fuse3");
        assertEquals("[\"proclens\"]", entrypoint);
        script.append("proclens version\nproclens webhook --help | head -n 1\nproclens mount --help | head -n 1\n");
        script.append("test \"$(stat -c %a /usr/local/bin/proclens)\" = 755\n");

        ProcessBuilder pb = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script.toString())
                .redirectErrorStream(true);
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/local/bin:/usr/bin:/bin");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), script + "\n---\n" + out);
        assertTrue(out.contains("Usage: proclens webhook"), out);
        assertTrue(out.contains("Usage: proclens mount"), out);
    }

    /** The packages the apt-get step installs exist (in this machine's Debian; the image is Ubuntu's). */
    private static void checkPackages(String run) throws Exception {
        String install = run.substring(run.indexOf("apt-get install"));
        install = install.split("&&")[0];
        List<String> packages = new ArrayList<>();
        for (String word : install.split("\\s+")) {
            if (!word.startsWith("-") && !word.equals("apt-get") && !word.equals("install")) packages.add(word);
        }
        assertTrue(packages.contains("fuse3"), "the image needs libfuse3: " + packages);
        Assumptions.assumeTrue(Host.hasCommand("apt-cache"), "no apt-cache to check " + packages);
        for (String pkg : packages) {
            Host.Result r = Host.run(List.of("apt-cache", "show", "--no-all-versions", pkg));
            assertEquals(0, r.status(), pkg + ": " + r.output());
            assertTrue(r.output().contains("fusermount3") || r.output().contains("libfuse3"), pkg + " is not what provides libfuse3");
        }
    }
}
