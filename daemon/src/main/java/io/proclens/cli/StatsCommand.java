package io.proclens.cli;

import io.proclens.control.ControlClient;
import io.proclens.control.ControlServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code proclens stats}: one line of a running daemon's counts and memory, for soak tests and diagnostics. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Prints the counts of the worker serving MOUNTPOINT as NAME=NUMBER pairs: open handles, cached"
                + " snapshots (cache), cached caller resolutions (callers), stat floors, cgroups with load averages,"
                + " answers that fell back to the host's file, then its JVM's heap after the last collection, heap"
                + " in use and metaspace, in bytes.")
final class StatsCommand implements Callable<Integer> {
    @Option(names = "--mountpoint", paramLabel = "DIR", defaultValue = MountCommand.DEFAULT_MOUNTPOINT,
            description = "The daemon's mountpoint (default ${DEFAULT-VALUE}).")
    Path mountpoint;

    @Option(names = "--gc", description = "Run a full collection first, so that heap_after_gc is the live heap now"
            + " (pauses serving for a few milliseconds).")
    boolean gc;

    @Override
    public Integer call() {
        Path socket = ControlServer.socketFor(mountpoint);
        String reply;
        try {
            reply = ControlClient.send(socket, gc ? "stats gc" : "stats");
        } catch (IOException e) {
            throw new UserError("no proclens daemon answers for " + mountpoint + " (" + socket + ": "
                    + e.getMessage() + ")");
        }
        if (reply.startsWith("error: ")) throw new UserError(reply.substring("error: ".length()));
        System.out.println(reply);
        return 0;
    }
}
