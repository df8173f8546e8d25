package io.proclens.cgroup;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Fixture trees under test resources {@code cgroup/}, copied to a temp dir so that tests can change them, and the
 * assertion the readers' tests share.
 */
final class Fixtures {
    private Fixtures() {
    }

    /** The resource {@code cgroup/<name>} as a path (the test classpath is a directory). */
    static Path resource(String name) {
        URL url = Fixtures.class.getResource("/cgroup/" + name);
        if (url == null) throw new IllegalStateException("missing test resource cgroup/" + name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String name) {
        return read(resource(name));
    }

    /** Copies the resource tree {@code cgroup/<name>} into {@code target} (created) and returns target. */
    static Path copy(String name, Path target) {
        Path source = resource(name);
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path from : (Iterable<Path>) walk::iterator) {
                Path to = target.resolve(source.relativize(from).toString());
                if (Files.isDirectory(from)) Files.createDirectories(to);
                else Files.copy(from, to);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /**
     * Copies the fixture /proc into {@code target}, turning every {@code <pid>/ns_pid} text file into a symlink
     * {@code <pid>/ns/pid} whose target is that text ("pid:[4026531836]"), dangling as in the real /proc.
     */
    static Path procTree(Path target) {
        copy("proc", target);
        try (Stream<Path> walk = Files.walk(target)) {
            for (Path nsPid : walk.filter(p -> p.getFileName().toString().equals("ns_pid")).toList()) {
                setPidNamespace(nsPid.getParent(), read(nsPid).strip());
                Files.delete(nsPid);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** Points {@code processDir/ns/pid} at {@code namespace}, replacing what is there. */
    static void setPidNamespace(Path processDir, String namespace) {
        try {
            Path link = processDir.resolve("ns/pid");
            Files.createDirectories(link.getParent());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(namespace));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code read} throws a {@link CgroupException} of {@code kind}. */
    static void assertThrowsKind(CgroupException.Kind kind, Runnable read) {
        CgroupException e = org.junit.jupiter.api.Assertions.assertThrows(CgroupException.class, read::run);
        org.junit.jupiter.api.Assertions.assertEquals(kind, e.kind(), e.getMessage());
    }
}
