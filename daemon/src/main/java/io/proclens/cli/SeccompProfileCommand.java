package io.proclens.cli;

import io.proclens.mounts.RunFiles;
import io.proclens.sysinfo.OciSeccomp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code proclens seccomp-profile --base PROFILE}: prints PROFILE with sysinfo(2) handed to this node's daemon (its
 * action SCMP_ACT_NOTIFY, the listenerPath the daemon's socket), for runtimes that pass a profile's listenerPath
 * themselves: a Kubernetes {@code Localhost} profile under containerd, crun, or a newer Docker. The base is the
 * profile your containers run with now (your runtime's default, exported), so that nothing but sysinfo changes.
 */
@Command(name = "seccomp-profile", mixinStandardHelpOptions = true,
        description = "Prints a seccomp profile that is --base with sysinfo(2) handed to proclens (listenerPath):"
                + " for Kubernetes Localhost profiles and runtimes that pass a listenerPath (Docker 20.10 does not:"
                + " use proclens-runc, see docs/operations.md).")
final class SeccompProfileCommand implements Callable<Integer> {
    @Mixin
    DaemonMountpoint mountpoint;

    @Option(names = "--base", required = true, paramLabel = "PROFILE",
            description = "The profile to start from, in Docker's JSON format (e.g. your runtime's default profile).")
    Path base;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(base)) throw new UserError("--base " + base + " is not a file");
        OciSeccomp.Edit edit = OciSeccomp.profileHandingSysinfoTo(Files.readString(base),
                RunFiles.seccompSocket(mountpoint.path()).toString());
        if (edit.config().isEmpty()) throw new UserError(base + " cannot hand sysinfo over: " + edit.reason());
        System.out.println(edit.config().get());
        return 0;
    }
}
