package io.proclens.stress;

import io.proclens.fs.HandleTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;

import java.lang.foreign.MemorySegment;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** The open-file handle table, as two loop threads use it at once. One nested test per property. */
public final class HandleTableStress {
    private HandleTableStress() {
    }

    private static final MemorySegment A = MemorySegment.ofArray(new byte[]{'a'});
    private static final MemorySegment B = MemorySegment.ofArray(new byte[]{'b'});

    @JCStressTest
    @Description("Two opens at once never get the same handle.")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "distinct handles, first open first")
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "distinct handles, second open first")
    @Outcome(expect = FORBIDDEN, desc = "a handle given twice, or skipped: two readers would share a snapshot")
    @State
    public static class DistinctHandles {
        private final HandleTable table = new HandleTable();

        @Actor
        public void open1(JJ_Result r) {
            r.r1 = table.add(A);
        }

        @Actor
        public void open2(JJ_Result r) {
            r.r2 = table.add(B);
        }
    }

    @JCStressTest
    @Description("Each open finds its own snapshot after both opens, whatever their order.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "each handle maps to the snapshot it was opened with")
    @Outcome(expect = FORBIDDEN, desc = "a snapshot lost or swapped: a reader would see another's bytes")
    @State
    public static class OwnSnapshot {
        private final HandleTable table = new HandleTable();
        private long a;
        private long b;

        @Actor
        public void openA() {
            a = table.add(A);
        }

        @Actor
        public void openB() {
            b = table.add(B);
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = table.get(a) == A ? 1 : 0;
            r.r2 = table.get(b) == B ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("A release of one handle while another file opens leaves only the new one open.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "released handle gone, new handle present")
    @Outcome(expect = FORBIDDEN, desc = "release removed the wrong entry, or the new open was lost")
    @State
    public static class ReleaseWhileOpening {
        private final HandleTable table = new HandleTable();
        private final long released = table.add(A);
        private long opened;

        @Actor
        public void release() {
            table.remove(released);
        }

        @Actor
        public void open() {
            opened = table.add(B);
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = table.get(released) == null ? 0 : 1;
            r.r2 = table.get(opened) == B ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("A read of a handle while it is released and its slot taken by the next open never sees the next file.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "read before the release: its own snapshot")
    @Outcome(id = "0", expect = ACCEPTABLE, desc = "read after the release: not open")
    @Outcome(id = "2", expect = FORBIDDEN, desc = "the released handle reached the next open's snapshot")
    @State
    public static class ReadWhileSlotReused {
        private final HandleTable table = new HandleTable();
        private final long handle = table.add(A);

        @Actor
        public void releaseAndReopen() {
            table.remove(handle);
            table.add(B); // takes the freed slot: the only free one
        }

        @Actor
        public void read(I_Result r) {
            MemorySegment seen = table.get(handle);
            r.r1 = seen == null ? 0 : seen == A ? 1 : 2;
        }
    }

    @JCStressTest
    @Description("Two releases and two opens at once, through the free stack: every file open keeps its own slot.")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "two handles, two slots, each its own snapshot")
    @Outcome(expect = FORBIDDEN, desc = "a slot given twice or lost: two files would share a snapshot")
    @State
    public static class ReleaseAndOpenTwice {
        private static final MemorySegment C = MemorySegment.ofArray(new byte[]{'c'});
        private static final MemorySegment D = MemorySegment.ofArray(new byte[]{'d'});
        private final HandleTable table = new HandleTable();
        private final long a = table.add(A);
        private final long b = table.add(B);
        private long c;
        private long d;

        @Actor
        public void first() {
            table.remove(a);
            c = table.add(C);
        }

        @Actor
        public void second() {
            table.remove(b);
            d = table.add(D);
        }

        @Arbiter
        public void check(II_Result r) {
            boolean own = table.get(c) == C && table.get(d) == D && (int) c != (int) d;
            r.r1 = own ? 1 : 0;
            r.r2 = table.size();
        }
    }

    @JCStressTest
    @Description("The same handle released twice at once frees its slot once: two later opens get two slots.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "the slot went back once")
    @Outcome(expect = FORBIDDEN, desc = "the slot went back twice: two later files would share it")
    @State
    public static class DoubleRelease {
        private final HandleTable table = new HandleTable();
        private final long handle = table.add(A);

        @Actor
        public void release1() {
            table.remove(handle);
        }

        @Actor
        public void release2() {
            table.remove(handle);
        }

        @Arbiter
        public void check(I_Result r) {
            long x = table.add(A);
            long y = table.add(B);
            r.r1 = (int) x != (int) y && table.get(x) == A && table.get(y) == B ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("Two reads at offset 0 of one handle at once each put their own rendering in place of the first:"
            + " the handle ends with one of the two.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "the first reader's rendering stayed")
    @Outcome(id = "2", expect = ACCEPTABLE, desc = "the second reader's rendering stayed")
    @Outcome(expect = FORBIDDEN, desc = "neither: the handle lost its rendering or kept the one both replaced")
    @State
    public static class TwoReadsReplaceAtOnce {
        private static final MemorySegment C = MemorySegment.ofArray(new byte[]{'c'});
        private final HandleTable table = new HandleTable();
        private final long handle = table.add(A);

        @Actor
        public void read1() {
            table.replace(handle, A, B);
        }

        @Actor
        public void read2() {
            table.replace(handle, A, C);
        }

        @Arbiter
        public void check(I_Result r) {
            MemorySegment kept = table.get(handle);
            r.r1 = kept == B ? 1 : kept == C ? 2 : 0;
        }
    }

    @JCStressTest
    @Description("A replace that races the release of its handle and the next open of the slot never reaches the"
            + " next open's file.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "the next open keeps its own snapshot")
    @Outcome(expect = FORBIDDEN, desc = "the released handle's rendering reached the next open")
    @State
    public static class ReplaceRacingReleaseAndReopen {
        private static final MemorySegment RENDERED = MemorySegment.ofArray(new byte[]{'r'});
        private final HandleTable table = new HandleTable();
        private final long handle = table.add(A);
        private long reopened;

        @Actor
        public void read() {
            table.replace(handle, A, RENDERED);
        }

        @Actor
        public void releaseAndReopen() {
            table.remove(handle);
            reopened = table.add(B); // takes the freed slot: the only free one
        }

        @Arbiter
        public void check(I_Result r) {
            r.r1 = table.get(reopened) == B ? 1 : 0;
        }
    }
}
