package io.proclens.cli;

import io.proclens.handover.WorkerLink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code proclens upgrade}: the running daemon hands its mount over to a new worker, without unmounting. */
@Command(name = "upgrade", mixinStandardHelpOptions = true,
        description = "Starts a new serving process (from the daemon's jar as it is now on disk, or from --jar), hands"
                + " the mount over to it and retires the old one; readers see no error. SIGHUP to the daemon does the"
                + " same with the daemon's jar.")
final class UpgradeCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = ServingOptions.DEFAULT_MOUNTPOINT,
            description = "The daemon's mountpoint (default ${DEFAULT-VALUE}).")
    Path mountpoint;

    @Option(names = "--jar", paramLabel = "JAR", description = "The new version's proclens.jar.")
    Path jar;

    @Override
    public Integer call() throws Exception {
        if (jar != null && !Files.isRegularFile(jar)) throw new UserError(jar + " is not a file");
        try {
            System.out.println("proclens: " + WorkerLink.requestUpgrade(mountpoint.toAbsolutePath().normalize(), jar));
            return 0;
        } catch (IOException e) {
            throw new UserError("upgrade failed: " + e.getMessage());
        }
    }
}
