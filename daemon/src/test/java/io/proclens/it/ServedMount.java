package io.proclens.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Gives a test method a {@link Daemon} parameter: proclens started with its defaults on a mountpoint in a temp dir
 * of its own (traversable by every user, so that refusals are the mount's own), stopped and removed after the
 * test, with the options of the test class's {@link MountOptions} if it has one. Tests that need options or a
 * mountpoint of their own call {@link Daemon#start} themselves.
 */
final class ServedMount implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ServedMount.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Daemon.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Host.assumeRootWithFuse();
        try {
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "proclens-it-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Started started = new Started(dir);
            context.getStore(NAMESPACE).put(context.getUniqueId() + "#" + parameter.getIndex(), started);
            MountOptions options = context.getRequiredTestClass().getAnnotation(MountOptions.class);
            started.daemon = Daemon.start(dir.resolve("mnt"), options == null ? new String[0] : options.value());
            return started.daemon;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start proclens for the test: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the daemon (which unmounts) after the test, then removes its temp dir. */
    @SuppressWarnings("deprecation") // CloseableResource: closed by JUnit on every version the pom may move to
    private static final class Started implements ExtensionContext.Store.CloseableResource {
        final Path dir;
        Daemon daemon;

        Started(Path dir) {
            this.dir = dir;
        }

        @Override
        public void close() throws Exception {
            try {
                if (daemon != null) daemon.close();
            } finally {
                Host.unmountAll(dir.resolve("mnt"));
                try (Stream<Path> paths = Files.walk(dir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
