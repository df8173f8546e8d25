package io.proclens.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code proclens stats}: one line of a running daemon's counts and memory, for soak tests and diagnostics. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Prints the counts of the worker serving MOUNTPOINT as NAME=NUMBER pairs: open handles, cached"
                + " snapshots (cache), cached caller resolutions (callers), stat floors, cgroups with load averages,"
                + " answers that fell back to the host's file, then its JVM's heap after the last collection, heap"
                + " in use and metaspace, in bytes.")
final class StatsCommand implements Callable<Integer> {
    @Mixin
    DaemonMountpoint mountpoint;

    @Option(names = "--gc", description = "Run a full collection first, so that heap_after_gc is the live heap now"
            + " (pauses serving for a few milliseconds).")
    boolean gc;

    @Override
    public Integer call() {
        String reply = DaemonControl.ask(mountpoint.path(), gc ? "stats gc" : "stats");
        System.out.println(reply);
        return 0;
    }
}
