package io.proclens.mounts;

import java.nio.file.Path;

/**
 * The files in /run/proclens of the daemon serving a mountpoint, one set per mount so that several daemons can run:
 * a kind, the mountpoint with '/' as '_', a suffix ("control_var_lib_proclens.sock").
 */
public final class RunFiles {
    public static final Path DIR = Path.of("/run/proclens");

    private RunFiles() {
    }

    public static Path of(String kind, Path mountpoint, String suffix) {
        String name = mountpoint.toAbsolutePath().normalize().toString().replace('/', '_');
        return DIR.resolve(kind + name + suffix);
    }

    /** Where `proclens options` and `stats` reach the serving worker. */
    public static Path controlSocket(Path mountpoint) {
        return of("control", mountpoint, ".sock");
    }

    /** Where workers and `proclens upgrade` reach the holder. */
    public static Path holderSocket(Path mountpoint) {
        return of("holder", mountpoint, ".sock");
    }

    /** Where OCI runtimes hand over containers' seccomp listeners (a profile's listenerPath), for sysinfo(2). */
    public static Path seccompSocket(Path mountpoint) {
        return of("seccomp", mountpoint, ".sock");
    }

    /** The options changed at run time, for the mount's later workers. */
    public static Path options(Path mountpoint) {
        return of("options", mountpoint, "");
    }

    /** A background daemon's pid. */
    public static Path pidFile(Path mountpoint) {
        return of("daemon", mountpoint, ".pid");
    }
}
