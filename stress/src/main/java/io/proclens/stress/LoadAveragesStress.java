package io.proclens.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.TaskCounts;
import io.proclens.load.LoadAverages;
import io.proclens.load.Loadavg;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The per-cgroup load averages, as FUSE loop threads read them while the sampler thread updates and evicts.
 * One nested test per property.
 */
public final class LoadAveragesStress {
    private LoadAveragesStress() {
    }

    static Cgroup cgroup(String name) {
        Path root = Path.of("/sys/fs/cgroup/cpu");
        return Cgroup.of(Map.of(Cgroup.Controller.CPU,
                new Cgroup.Location(Cgroup.Version.V1, root.resolve(name), root)));
    }

    private static final Cgroup C = cgroup("c");
    private static final TaskCounts FIRST = new TaskCounts(1, 0, 1, 101);
    private static final TaskCounts SECOND = new TaskCounts(5, 2, 9, 202);
    private static final Loadavg AFTER_FIRST = Loadavg.INITIAL.next(FIRST);
    private static final Loadavg AFTER_SECOND = AFTER_FIRST.next(SECOND);

    @JCStressTest
    @Description("A reader sees the averages and counts of one whole sample, and never an older sample after a newer one.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "both reads before the first sample was published")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "first read before, second after the first sample")
    @Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "first read before any sample, second after both")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both reads between the two samples")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "one read between the samples, one after both")
    @Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "both reads after both samples")
    @Outcome(id = {"1, 0", "2, 0", "2, 1"}, expect = FORBIDDEN, desc = "the second read went back to an older sample")
    @Outcome(expect = FORBIDDEN, desc = "-1: a torn read, averages or counts of two different samples mixed")
    @State
    public static class NoMixedSamples {
        private int calls; // sampler thread only
        private final LoadAverages averages = new LoadAverages(c -> ++calls == 1 ? FIRST : SECOND);

        public NoMixedSamples() {
            averages.current(C);
        }

        @Actor
        public void sampler() {
            averages.sampleAll();
            averages.sampleAll();
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = which(averages.current(C));
            r.r2 = which(averages.current(C));
        }

        private static int which(Loadavg seen) {
            if (seen.equals(Loadavg.INITIAL)) return 0;
            if (seen.equals(AFTER_FIRST)) return 1;
            if (seen.equals(AFTER_SECOND)) return 2;
            return -1;
        }
    }

    @JCStressTest
    @Description("A reader that asks while the sampler evicts its cgroup as idle never loses the averages it saw.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE,
            desc = "the ask came before or during the eviction: the sampler or the reader kept the averages")
    @Outcome(id = "0, 0", expect = ACCEPTABLE,
            desc = "the ask came after the eviction: the cgroup starts afresh, as any cgroup nobody asked for")
    @Outcome(id = "1, 0", expect = FORBIDDEN,
            desc = "the reader was handed the averages, then they were dropped though it had just asked")
    @Outcome(id = "0, 1", expect = FORBIDDEN,
            desc = "the reader got fresh averages while the old entry stayed: two entries for one cgroup")
    @Outcome(expect = FORBIDDEN, desc = "not an outcome of this test")
    @State
    public static class IdleEvictionKeepsAnAskedCgroup {
        private static final long HOUR = Duration.ofHours(1).toNanos();
        private volatile long now;
        private final LoadAverages averages = new LoadAverages(c -> FIRST, Duration.ofMinutes(10), () -> now);

        public IdleEvictionKeepsAnAskedCgroup() {
            averages.current(C);
            averages.sampleAll();
            averages.sampleAll();
            averages.sampleAll();
            now = HOUR; // nobody asked for an hour: the next sampleAll evicts unless a reader asks first
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = averages.current(C).samples() >= 3 ? 1 : 0;
        }

        @Actor
        public void sampler() {
            averages.sampleAll();
        }

        @Arbiter
        public void after(II_Result r) {
            r.r2 = averages.current(C).samples() >= 3 ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("Two first asks for the same cgroup at once register it once.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "one entry, sampled once")
    @Outcome(expect = FORBIDDEN, desc = "the cgroup registered twice or lost: entries or samples counted wrong")
    @State
    public static class FirstAsksRegisterOnce {
        private int calls; // the arbiter's sampleAll only
        private final LoadAverages averages = new LoadAverages(c -> {
            calls++;
            return FIRST;
        });

        @Actor
        public void reader1() {
            averages.current(C);
        }

        @Actor
        public void reader2() {
            averages.current(cgroup("c"));
        }

        @Arbiter
        public void after(II_Result r) {
            averages.sampleAll();
            r.r1 = averages.tracked();
            r.r2 = calls;
        }
    }

    @JCStressTest
    @Description("A first ask during a sample is never lost: the cgroup is tracked afterwards.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "registered after the sampler passed its place: sampled next time")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "registered before the sampler reached it: sampled already")
    @Outcome(expect = FORBIDDEN, desc = "the registration was lost, or a cgroup sampled that was never asked for")
    @State
    public static class RegistrationDuringSample {
        private final LoadAverages averages = new LoadAverages(c -> FIRST);

        public RegistrationDuringSample() {
            for (int i = 0; i < 8; i++) averages.current(cgroup("other-" + i)); // something to iterate over
        }

        @Actor
        public void reader() {
            averages.current(C);
        }

        @Actor
        public void sampler() {
            averages.sampleAll();
        }

        @Arbiter
        public void after(II_Result r) {
            r.r1 = averages.tracked() - 8;
            r.r2 = (int) averages.current(C).samples();
        }
    }
}
