package io.proclens.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --mountpoint} of the running daemon a command talks to or about: a picocli mixin. */
final class DaemonMountpoint {
    @Option(names = "--mountpoint", paramLabel = "DIR", defaultValue = ServingOptions.DEFAULT_MOUNTPOINT,
            description = "The daemon's mountpoint (default ${DEFAULT-VALUE}).")
    private Path mountpoint;

    /** The mountpoint as given, absolute and normalized. */
    Path path() {
        return mountpoint.toAbsolutePath().normalize();
    }
}
