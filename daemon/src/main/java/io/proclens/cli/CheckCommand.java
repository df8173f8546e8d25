package io.proclens.cli;

import io.proclens.mounts.RunFiles;
import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.CgroupException;
import io.proclens.cgroup.CgroupLayout;
import io.proclens.control.ControlClient;
import io.proclens.mounts.Mountpoint;
import io.proclens.heal.LiveMounts;
import io.proclens.mounts.MountEntry;
import io.proclens.heal.ProcBinds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * {@code proclens check}: tells a user what is wrong, one finding per line with what to do about it: FUSE missing,
 * the mount dead or absent, the cgroup layout not understood, containers whose bind mounts point to a dead mount.
 */
@Command(name = "check", aliases = "doctor", mixinStandardHelpOptions = true,
        description = "Checks this host for what proclens needs, the daemon at MOUNTPOINT, and the containers"
                + " that bind its files. Exit status 0 when nothing is wrong, 1 when something is.")
final class CheckCommand implements Callable<Integer> {
    @Mixin
    DaemonMountpoint mountpoint;

    private final Findings findings = new Findings(System.out);

    @Override
    public Integer call() {
        Path target = mountpoint.path();
        checkHost();
        checkCgroups();
        checkMount(target);
        checkContainers();
        return findings.summary();
    }

    private void checkHost() {
        try {
            Preflight.check();
            findings.ok("root, " + Preflight.FUSE_DEVICE + " and libfuse " + Preflight.libfuseVersion().orElse("?"));
        } catch (UserError e) {
            findings.problem(e.getMessage(), null);
        }
    }

    private void checkCgroups() {
        try {
            CgroupLayout layout = CgroupLayout.discover();
            if (layout.hierarchyOf(Controller.MEMORY).isEmpty()) {
                findings.problem("cgroup layout " + layout.mode() + " has no memory controller mounted: meminfo"
                        + " and swaps show the host's", "mount the memory controller (v1) or enable it in cgroup2");
            } else {
                findings.ok("cgroup layout " + layout.mode() + " (" + layout.hierarchies().size() + " hierarchies)");
            }
        } catch (CgroupException e) {
            findings.problem("cgroup layout not understood: " + e.getMessage(),
                    "mount cgroup2 at /sys/fs/cgroup, or the v1 controllers under it");
        }
    }

    private void checkMount(Path target) {
        Mountpoint.State state;
        try {
            state = LiveMounts.withTimeout(() -> Mountpoint.state(target));
        } catch (TimeoutException e) {
            findings.problem("the daemon serving " + target + " does not answer within " + LiveMounts.PROBE_SECONDS + " s",
                    "look at its log; kill it and start `proclens mount " + target + "`");
            return;
        } catch (Exception e) {
            findings.problem("cannot look at " + target + ": " + e.getMessage(), null);
            return;
        }
        switch (state) {
            case NOT_MOUNTED -> findings.problem("nothing is mounted at " + target,
                    "start the daemon: `systemctl start proclens` or `proclens mount " + target + "`");
            case DEAD -> findings.problem("the mount at " + target + " is dead (its daemon is gone; every read fails"
                    + " with 'Transport endpoint is not connected')",
                    "start the daemon again: `proclens mount " + target + "` clears the dead mount first");
            case OTHER -> findings.problem(target + " has another filesystem mounted on it",
                    "unmount it, or run proclens at another mountpoint");
            case SERVED -> checkServed(target);
        }
    }

    private void checkServed(Path target) {
        Path meminfo = target.resolve("proc/meminfo");
        try {
            String first = LiveMounts.withTimeout(() -> Files.readAllLines(meminfo).getFirst());
            findings.ok(target + " is served; this process reads " + first.replaceAll("\\s+", " "));
        } catch (Exception e) {
            findings.problem("reading " + meminfo + " failed: " + message(e), "look at the daemon's log");
        }
        try {
            findings.ok("the daemon answers on its control socket: " + ControlClient.send(RunFiles.controlSocket(target), "get"));
        } catch (IOException e) {
            findings.problem("the daemon does not answer on " + RunFiles.controlSocket(target) + " (" + e.getMessage()
                    + "): `proclens options` will not work", "restart the daemon");
        }
    }

    private void checkContainers() {
        try {
            Set<Long> live = LiveMounts.connections();
            List<ProcBinds.Namespace> namespaces = ProcBinds.scan(Path.of("/proc"),
                    ProcBinds.namespaceOf(Path.of("/proc/self")));
            int healthy = 0;
            for (ProcBinds.Namespace ns : namespaces) {
                List<MountEntry> dead = ns.deadBinds(live);
                if (dead.isEmpty()) {
                    healthy++;
                    continue;
                }
                List<String> paths = dead.stream().map(MountEntry::mountPoint).toList();
                findings.problem("process " + ns.pid() + " (cgroup " + ns.cgroup() + ", mnt namespace " + ns.namespace()
                        + ") has mounts from a dead proclens or LXCFS: " + String.join(", ", paths),
                        "`proclens remount --mountpoint " + mountpoint.path() + "` binds the live mount's files in their place (or restart that container)");
            }
            findings.ok(namespaces.size() + " mount namespaces bind proclens or LXCFS files, " + healthy
                    + " of them to a live mount");
        } catch (IOException | RuntimeException e) {
            findings.problem("cannot look at the containers' mounts: " + message(e), null);
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The findings, printed as they come: "ok" lines and "PROBLEM" lines with what to do. */
    static final class Findings {
        private final PrintStream out;
        private final List<String> problems = new ArrayList<>();

        Findings(PrintStream out) {
            this.out = out;
        }

        void ok(String what) {
            out.println("ok       " + what);
        }

        void problem(String what, String fix) {
            problems.add(what);
            out.println("PROBLEM  " + what);
            if (fix != null) out.println("         fix: " + fix);
        }

        /** Prints the last line and gives the exit status. */
        int summary() {
            out.println(problems.isEmpty() ? "proclens check: nothing wrong" : "proclens check: " + problems.size()
                    + (problems.size() == 1 ? " problem" : " problems"));
            return problems.isEmpty() ? 0 : 1;
        }
    }
}
