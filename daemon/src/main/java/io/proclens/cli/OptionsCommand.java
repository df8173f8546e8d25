package io.proclens.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code proclens options}: shows or changes a running daemon's options, without a restart. */
@Command(name = "options", mixinStandardHelpOptions = true,
        description = "Shows the options of the daemon serving MOUNTPOINT, or changes them at run time"
                + " (from the next read of a file from its start on). A change holds for the mount's later workers (after a crash"
                + " or an upgrade), not for a new mount.")
final class OptionsCommand implements Callable<Integer> {
    @Mixin
    DaemonMountpoint mountpoint;

    @Option(names = "--enable-cfs", paramLabel = "BOOL", arity = "1",
            description = "true: CPU counts also limited by the CFS quota, rounded up; false: by the cpuset only.")
    Boolean enableCfs;

    @Option(names = "--enable-loadavg", paramLabel = "BOOL", arity = "1",
            description = "true: loadavg per cgroup (starting from 0); false: the host's.")
    Boolean enableLoadavg;

    @Option(names = "--disable-swap", paramLabel = "BOOL", arity = "1",
            description = "true: no swap in meminfo and swaps; false: the cgroup's swap.")
    Boolean disableSwap;

    @Override
    public Integer call() {
        List<String> changes = new ArrayList<>();
        if (enableCfs != null) changes.add("enable-cfs=" + enableCfs);
        if (enableLoadavg != null) changes.add("enable-loadavg=" + enableLoadavg);
        if (disableSwap != null) changes.add("disable-swap=" + disableSwap);
        String reply = DaemonControl.ask(mountpoint.path(), changes.isEmpty() ? "get" : "set " + String.join(" ", changes));
        System.out.println(reply);
        return 0;
    }
}
