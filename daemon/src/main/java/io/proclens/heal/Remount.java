package io.proclens.heal;

import io.proclens.mounts.MountEntry;
import io.proclens.mounts.MountTable;
import io.proclens.sys.MountCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * {@code proclens remount}'s work: in every mount namespace but ours, each bind from a dead proclens or LXCFS
 * mount is replaced by a bind of the same file from the live proclens mount, without anything run inside the
 * container: open_tree(OPEN_TREE_CLONE) of the live file here, then, in a thread inside the container's mount
 * namespace (see {@link InNamespace}), umount2(MNT_DETACH) of the stale mounts and move_mount of the new one.
 * Nothing else in the namespace is touched.
 */
public final class Remount {
    private static final Logger LOG = Logger.getLogger(Remount.class.getName());
    private final Path mountpoint;
    private final Path proc;

    public Remount(Path mountpoint) {
        this(mountpoint, Path.of("/proc"));
    }

    Remount(Path mountpoint, Path proc) {
        this.mountpoint = mountpoint.toAbsolutePath().normalize();
        this.proc = proc;
    }

    /** The live mount is missing or dead: there is nothing to bind from. */
    public static final class NotServed extends Exception {
        NotServed(String message) {
            super(message);
        }
    }

    /** What was (or, in a dry run, would be) done in one namespace. */
    public record Outcome(ProcBinds.Namespace namespace, List<String> healed, List<String> skipped, String failure,
                          long nanos) {
        public boolean failed() {
            return failure != null;
        }
    }

    /** Heals every namespace (or only says what it would do); one outcome per namespace with dead binds. */
    public List<Outcome> run(boolean dryRun) throws IOException, NotServed {
        Set<Long> live = LiveMounts.connections();
        MountEntry ours = MountTable.read(Path.of("/proc/self/mountinfo")).at(mountpoint)
                .orElseThrow(() -> new NotServed("nothing is mounted at " + mountpoint));
        if (!ours.fsType().equals("fuse.proclens") || !live.contains(ours.minor())) {
            throw new NotServed(mountpoint + " is not served by a live proclens (" + ours.fsType() + ")");
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (ProcBinds.Namespace ns : ProcBinds.scan(proc, ProcBinds.namespaceOf(proc.resolve("self")))) {
            if (ns.deadBinds(live).isEmpty()) continue;
            outcomes.add(heal(ns, live, dryRun));
        }
        return outcomes;
    }

    private Outcome heal(ProcBinds.Namespace ns, Set<Long> live, boolean dryRun) {
        long start = System.nanoTime();
        Path pidDir = proc.resolve(Integer.toString(ns.pid()));
        List<String> skipped = new ArrayList<>();
        List<StaleBind> todo = new ArrayList<>();
        try {
            for (StaleBind bind : StaleBind.find(Files.readAllLines(pidDir.resolve("mountinfo")), live)) {
                String why = reasonToSkip(bind, pidDir);
                if (why == null) todo.add(bind);
                else skipped.add(bind.mount().mountPoint() + " (" + why + ")");
            }
        } catch (IOException e) {
            return new Outcome(ns, List.of(), skipped, "cannot read its mounts: " + e.getMessage(), System.nanoTime() - start);
        }
        // Parents first: detaching a stale directory bind detaches the binds below it too.
        todo.sort(Comparator.comparing(b -> b.mount().mountPoint()));
        List<String> targets = todo.stream().map(b -> b.mount().mountPoint()).toList();
        if (dryRun || todo.isEmpty()) return new Outcome(ns, targets, skipped, null, System.nanoTime() - start);
        List<Integer> trees = new ArrayList<>();
        try {
            for (StaleBind bind : todo) {
                int tree = MountCalls.openTreeClone(bind.source(mountpoint).toString());
                trees.add(tree);
                MountCalls.setAttributes(tree, bind.attributes(), StaleBind.FLAGS & ~bind.attributes());
            }
            List<String> done = new ArrayList<>();
            String failure = null;
            try {
                InNamespace.run(ns.pid(), ns.namespace(), () -> {
                    List<String> healedDirs = new ArrayList<>();
                    for (int i = 0; i < todo.size(); i++) {
                        String target = todo.get(i).mount().mountPoint();
                        boolean goneWithParent = healedDirs.stream().anyMatch(d -> target.startsWith(d + "/"));
                        if (!goneWithParent) {
                            for (int n = 0; n < todo.get(i).stacked(); n++) MountCalls.detach(target);
                        }
                        MountCalls.moveMount(trees.get(i), target);
                        healedDirs.add(target);
                        done.add(target);
                    }
                });
            } catch (IOException e) {
                failure = e.getMessage();
            }
            return new Outcome(ns, done, skipped, failure, System.nanoTime() - start);
        } catch (IOException e) {
            return new Outcome(ns, List.of(), skipped, e.getMessage(), System.nanoTime() - start);
        } finally {
            for (int tree : trees) MountCalls.close(tree); // a tree never moved is unmounted with its descriptor
        }
    }

    /** Null when the bind is to be healed, else why not. */
    private String reasonToSkip(StaleBind bind, Path pidDir) {
        Path source = bind.source(mountpoint);
        if (bind.mount().fsType().equals("fuse.lxcfs") && bind.mount().root().equals("/")) {
            return "a whole LXCFS tree: proclens stands in for its files, not for its cgroup and other directories";
        }
        if (!Files.exists(source)) return "proclens serves no " + bind.mount().root();
        // The connection is not one of our live mounts: make sure it is dead, not a daemon in another namespace.
        Path inContainer = pidDir.resolve("root").resolve(bind.mount().mountPoint().substring(1));
        return switch (LiveMounts.probe(inContainer)) {
            case NOT_CONNECTED -> null;
            case ANSWERS -> "its " + bind.mount().fsType() + " daemon answers";
            case HANGS -> "its " + bind.mount().fsType() + " daemon does not answer within " + LiveMounts.PROBE_SECONDS + " s";
            case OTHER_ERROR -> "it fails, but not with ENOTCONN";
        };
    }

    /**
     * For {@code proclens mount --remount}: once {@link #mountpoint} answers (a stat waits for the serving loop's
     * INIT reply, so call this before serving), heals every namespace from a thread of its own and logs what it did.
     */
    public void inBackground() {
        Thread.ofPlatform().daemon().name("proclens-remount").start(() -> {
            try {
                Files.readAttributes(mountpoint, "unix:ino");
                for (Outcome o : run(false)) {
                    String who = "process " + o.namespace().pid() + " (cgroup " + o.namespace().cgroup() + ")";
                    if (!o.healed().isEmpty()) LOG.info("remount: healed " + who + ": " + String.join(", ", o.healed()));
                    for (String skipped : o.skipped()) LOG.info("remount: left alone in " + who + ": " + skipped);
                    if (o.failed()) LOG.warning("remount: failed in " + who + ": " + o.failure());
                }
            } catch (IOException | NotServed | RuntimeException e) {
                LOG.warning("remount: " + e.getMessage());
            }
        });
    }
}
