package io.proclens.cli;

import io.proclens.sys.FdChannel;
import io.proclens.sysinfo.OciSeccomp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/**
 * {@code proclens oci-sysinfo --socket SOCKET CONFIG}: what {@code scripts/proclens-runc} runs before {@code runc
 * create}: hands the container's sysinfo(2) to the daemon at SOCKET by editing the bundle's config.json
 * ({@link OciSeccomp}). Only when the daemon answers there: a runtime that cannot connect to a listenerPath fails the
 * container, so without a daemon the container starts as it would have, without sysinfo. Never fails the container
 * itself: every problem is a line on stderr and exit status 0.
 */
@Command(name = "oci-sysinfo", hidden = true, mixinStandardHelpOptions = true,
        description = "Edits an OCI bundle's config.json so that its sysinfo(2) calls go to proclens (for proclens-runc).")
final class OciSysinfoCommand implements Callable<Integer> {
    @Option(names = "--socket", required = true, paramLabel = "SOCKET", description = "The daemon's seccomp socket.")
    Path socket;

    @Parameters(index = "0", paramLabel = "CONFIG", description = "The bundle's config.json.")
    Path config;

    @Override
    public Integer call() {
        try {
            if (!answers(socket)) {
                System.err.println("proclens-runc: nothing answers at " + socket + ": the container starts without"
                        + " sysinfo(2) from proclens");
                return 0;
            }
            OciSeccomp.Edit edit = OciSeccomp.handSysinfoTo(Files.readString(config), socket.toString());
            if (edit.config().isEmpty()) {
                System.err.println("proclens-runc: " + config + " left as it is: " + edit.reason());
                return 0;
            }
            Path written = config.resolveSibling(config.getFileName() + ".proclens");
            Files.writeString(written, edit.config().get());
            Files.setPosixFilePermissions(written, Files.getPosixFilePermissions(config));
            Files.move(written, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            System.err.println("proclens-runc: " + config + " left as it is: " + e);
        }
        return 0;
    }

    /** Whether a daemon accepts connections at {@code socket} (it reads nothing from one that sends nothing). */
    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) return false;
        try (FdChannel ignored = FdChannel.connectStream(socket)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
