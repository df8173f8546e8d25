package io.proclens.cli;

import io.proclens.heal.Remount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code proclens remount}: heals running containers whose binds of /proc files point to a dead proclens or LXCFS
 * mount (they read "Transport endpoint is not connected") by binding the live mount's files in their place.
 */
@Command(name = "remount", mixinStandardHelpOptions = true,
        description = "Replaces, in every running container (every mount namespace), each bind mount from a dead"
                + " proclens or LXCFS mount by the same file of the live proclens at MOUNTPOINT, without restarting"
                + " the container. Processes that keep such a file open go on failing until they reopen it."
                + " Exit status 0 when everything found was healed, 1 otherwise.")
final class RemountCommand implements Callable<Integer> {
    @Mixin
    DaemonMountpoint mountpoint;

    @Option(names = {"-n", "--dry-run"}, description = "Only print what would be healed.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        Preflight.check();
        List<Remount.Outcome> outcomes;
        try {
            outcomes = new Remount(mountpoint.path()).run(dryRun);
        } catch (Remount.NotServed e) {
            throw new UserError(e.getMessage() + "; start `proclens mount " + mountpoint.path() + "` first");
        }
        boolean ok = true;
        for (Remount.Outcome o : outcomes) {
            String who = "process " + o.namespace().pid() + " (cgroup " + o.namespace().cgroup() + ", mnt namespace "
                    + o.namespace().namespace() + ")";
            if (!o.healed().isEmpty()) {
                System.out.println((dryRun ? "would heal " : "healed ") + who + ": " + String.join(", ", o.healed())
                        + (dryRun ? "" : String.format(" in %.1f ms", o.nanos() / 1e6)));
            }
            for (String skipped : o.skipped()) System.out.println("left alone in " + who + ": " + skipped);
            if (o.failed()) {
                ok = false;
                System.out.println("FAILED in " + who + ": " + o.failure());
            }
            if (!o.skipped().isEmpty()) ok = false;
        }
        long namespaces = outcomes.stream().filter(o -> !o.healed().isEmpty()).count();
        System.out.println("proclens remount: " + (dryRun ? "would heal " : "healed ") + namespaces + " of "
                + outcomes.size() + " mount namespaces with binds from a dead mount");
        return ok ? 0 : 1;
    }
}
