package io.proclens.stress;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.sys.Pidfds;
import io.proclens.cgroup.Processes;
import io.proclens.render.Callers;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** The caller cache and its pidfd budget, as loop threads resolve readers at once. */
public final class CallersStress {
    private CallersStress() {
    }

    /** A fake /proc and cgroup2 tree, made once per JVM: pid 100 in cgroup /a, pid 116 (same slot of 16) in /b. */
    private static final Path ROOT = fixture();
    private static final CgroupLayout LAYOUT = CgroupLayout.parse(
            "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n", ROOT);

    private static Path fixture() {
        try {
            Path root = Files.createTempDirectory("proclens-callers-stress");
            Path proc = Files.createDirectories(root.resolve("proc"));
            Files.createDirectories(proc.resolve("self/ns"));
            Files.createSymbolicLink(proc.resolve("self/ns/pid"), Path.of("pid:[4026531836]"));
            Files.writeString(Files.createDirectories(root.resolve("sys/fs/cgroup")).resolve("cgroup.controllers"),
                    "cpuset cpu io memory pids\n");
            process(root, 100, "a");
            process(root, 116, "b");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void process(Path root, int pid, String cgroup) throws IOException {
        Files.createDirectories(root.resolve("sys/fs/cgroup/" + cgroup));
        Path dir = Files.createDirectories(root.resolve("proc/" + pid + "/ns"));
        Files.createSymbolicLink(dir.resolve("pid"), Path.of("pid:[4026531836]"));
        Files.writeString(root.resolve("proc/" + pid + "/stat"), pid + " (sh) S 1 " + pid + " " + pid
                + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5000 0 0\n");
        Files.writeString(root.resolve("proc/" + pid + "/cgroup"), "0::/" + cgroup + "\n");
    }

    private static void delete(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    /** 1 when {@code resolved} is pid's own cgroup, 0 when another's. */
    private static int own(Callers.Resolved resolved, String cgroup) {
        return resolved.cgroup().unified().orElseThrow().dir().endsWith(cgroup) ? 1 : 0;
    }

    @JCStressTest
    @Description("Two readers whose pids share a slot, resolved at once: each gets its own cgroup, never the other's,"
            + " and a later resolve too, whichever of them the slot kept.")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "each resolved to its own cgroup")
    @Outcome(expect = FORBIDDEN, desc = "a reader got the other reader's cgroup")
    @State
    public static class ReadersSharingASlot {
        private final Callers callers = new Callers(new Processes(ROOT.resolve("proc")), new Pidfds(0), LAYOUT,
                1_000_000_000L, 16, System::nanoTime, () -> 100_000);

        @Actor
        public void first(III_Result r) {
            r.r1 = own(callers.resolve(100), "a");
        }

        @Actor
        public void second(III_Result r) {
            r.r2 = own(callers.resolve(116), "b");
        }

        @Arbiter
        public void after(III_Result r) {
            r.r3 = own(callers.resolve(100), "a") & own(callers.resolve(116), "b");
        }
    }

    @JCStressTest
    @Description("Two threads opening pidfds with a budget of one: exactly one gets a descriptor, and the count"
            + " says one open.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "one descriptor, counted once")
    @Outcome(expect = FORBIDDEN, desc = "both or neither got one, or the count is off")
    @State
    public static class PidfdBudget {
        private static final int SELF = (int) ProcessHandle.current().pid();
        private final Pidfds pidfds = new Pidfds(1);
        private int a = -1;
        private int b = -1;

        @Actor
        public void first() {
            a = pidfds.open(SELF);
        }

        @Actor
        public void second() {
            b = pidfds.open(SELF);
        }

        @Arbiter
        public void count(II_Result r) {
            r.r1 = (a >= 0 ? 1 : 0) + (b >= 0 ? 1 : 0);
            r.r2 = pidfds.openCount();
            if (a >= 0) pidfds.close(a);
            if (b >= 0) pidfds.close(b);
        }
    }
}
