package io.proclens.cgroup;

import static io.proclens.Hostile.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.Hostile;
import io.proclens.load.Loadavg;
import io.proclens.view.LoadavgView;
import io.proclens.view.PressureView;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

/**
 * Hostile /proc/PID/stat and status text (Processes' start ticks and NSpid/PPid, TaskStates' state letter), task
 * counts through the load average and loadavg view, and pressure text through its view.
 */
class ProcessesFuzzTest {
    private static final Path FILE = Path.of("/proc/4242/stat");
    private static final String STAT = "200 (my (init) ) x) S 150 200 200 0 -1 4194560 1000 0 0 0 10 20 0 0 20 0 1 0 "
            + "5000 4628000 300 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    private static final String STATUS = "Name:\tmy\nPPid:\t150\nNSpid:\t200\t1\nThreads:\t1\n";
    private static final String PRESSURE = "some avg10=1.00 avg60=0.50 avg300=0.10 total=12345\n"
            + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

    @Provide
    Arbitrary<String> stat() {
        return Hostile.text(STAT, "1 (systemd) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0\n");
    }

    @Property
    void startTicksAreACounterOrMalformedNamingTheFile(@ForAll("stat") String text) {
        Long ticks = outcome(() -> Processes.parseStartTicks(text, FILE), CgroupException.class, FILE.toString(), text);
        if (ticks != null) assertTrue(ticks >= 0);
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(1, bytes.length)).put(bytes);
        Integer state = outcome(() -> TaskStates.stateLetter(buffer, bytes.length, FILE), CgroupException.class,
                FILE.toString(), text);
        if (state != null) assertTrue(Character.isLetter(state) && state < 128);
    }

    /** The start ticks read on every open, parsed in place: the string parse's value, or -1 to leave it to that. */
    @Property
    void theInPlaceParseAgreesWithTheStringParseOrLeavesItToIt(@ForAll("stat") String text) throws Exception {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.nio.file.Files.write(PROC.resolve("42/stat"), bytes);
        long fast = new Processes(PROC).startTicksFast(42);
        if (fast < 0) return;
        String read = new String(bytes, java.nio.charset.StandardCharsets.UTF_8); // as the slow path reads it
        assertEquals(fast, Processes.parseStartTicks(read, FILE), text);
    }

    /** A /proc with a process 42 and our own pid namespace link, for the in-place parse that reads a real file. */
    private static final Path PROC = fakeProc();

    private static Path fakeProc() {
        try {
            Path proc = java.nio.file.Files.createTempDirectory(Path.of("target"), "fuzz-proc-"); // mvn clean removes it
            java.nio.file.Files.createDirectories(proc.resolve("self/ns"));
            java.nio.file.Files.createDirectories(proc.resolve("42"));
            java.nio.file.Files.createSymbolicLink(proc.resolve("self/ns/pid"), Path.of("pid:[4026531836]"));
            return proc;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A command name may hold any byte but NUL, ')' and blanks included: fields count from the last ')'. */
    @Property
    void anyCommandNameKeepsTheStartTicks(@ForAll @StringLength(max = 64) String comm,
                                          @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long start) {
        String name = comm.replace('\0', '?');
        String stat = "4242 (" + name + ") S 1 4242 4242 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 1 0 " + start
                + " 4628000 300 18446744073709551615 1 1 0 0\n";
        assertEquals(start, Processes.parseStartTicks(stat, FILE));
    }

    @Provide
    Arbitrary<String> status() {
        return Hostile.text(STATUS);
    }

    @Property
    void nspidAndPpidArePidsOrMinusOne(@ForAll("status") String text) {
        Integer inner = outcome(() -> Processes.innermostPid(text), Error.class, null, text);
        Integer parent = outcome(() -> Processes.parentPid(text), Error.class, null, text);
        assertTrue(inner >= -1 && parent >= -1);
    }

    @Property
    void anyTaskCountsGiveSaneLoadavgLines(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int total,
                                           @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int r,
                                           @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int d,
                                           @ForAll @IntRange(min = 0, max = 60) int samples) {
        int running = total == 0 ? 0 : r % (total + 1);
        int blocked = total - running == 0 ? 0 : d % (total - running + 1);
        TaskCounts counts = new TaskCounts(running, blocked, total, total);
        Loadavg load = Loadavg.INITIAL;
        for (int i = 0; i < samples; i++) load = load.next(counts);
        String line = LoadavgView.render(load, counts);
        assertTrue(line.matches("[0-9]+\\.[0-9]{2} [0-9]+\\.[0-9]{2} [0-9]+\\.[0-9]{2} [0-9]+/[0-9]+ [0-9]+\n"), line);
        Hostile.assertSaneNumbers(line);
    }

    @Provide
    Arbitrary<String> pressure() {
        return Hostile.text(PRESSURE, "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    }

    @Property
    void pressureIsTheKernelsFormatOrAnIllegalArgument(@ForAll("pressure") String text) {
        String out = outcome(() -> PressureView.render(text), IllegalArgumentException.class, "pressure", text);
        if (out == null) return;
        String line = "(some|full) avg10=[0-9]+\\.[0-9]{2} avg60=[0-9]+\\.[0-9]{2} avg300=[0-9]+\\.[0-9]{2} total=[0-9]+\n";
        assertTrue(out.matches("some" + line.substring(11) + "(full" + line.substring(11) + ")?"), out);
        assertEquals(out, PressureView.render(out), "its own output parses to the same");
    }
}
