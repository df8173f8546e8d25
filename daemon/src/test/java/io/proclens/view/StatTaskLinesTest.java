package io.proclens.view;

import io.proclens.cgroup.TaskCounts;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatTaskLinesTest {
    private static final String HOST = "cpu  10 0 5 100 0 0 0 0 0 0\ncpu0 10 0 5 100 0 0 0 0 0 0\nintr 5 1 2\n"
            + "ctxt 123\nbtime 1764000000\nprocesses 4242\nprocs_running 7\nprocs_blocked 3\nsoftirq 1 2 3\n";

    @Test
    void theCgroupsRunnableAndBlockedTasksReplaceTheHosts() {
        String out = StatTaskLines.apply(HOST, new TaskCounts(2, 1, 40, 500));
        assertEquals(HOST.replace("procs_running 7", "procs_running 2").replace("procs_blocked 3", "procs_blocked 1"),
                out);
    }

    @Test
    void processesAndBtimeStayTheHosts() {
        String out = StatTaskLines.apply(HOST, new TaskCounts(0, 0, 0, 0));
        assertEquals(true, out.contains("\nprocesses 4242\n") && out.contains("\nbtime 1764000000\n"), out);
    }

    @Test
    void linesThatOnlyLookAlikeAreLeftAlone() {
        String odd = "procs_running\nprocs_running x\nprocs_runningx 4\nprocs_blocked 5 6\nprocs_blocked 9";
        assertEquals("procs_running\nprocs_running x\nprocs_runningx 4\nprocs_blocked 5 6\nprocs_blocked 0",
                StatTaskLines.apply(odd, TaskCounts.NONE));
        assertEquals("", StatTaskLines.apply("", TaskCounts.NONE));
    }

    @Property
    void everyOtherLineIsKeptByteForByte(@ForAll String text, @ForAll @IntRange(max = 1000) int running) {
        String out = StatTaskLines.apply(text, new TaskCounts(running, 0, running, 0));
        String[] in = text.split("\n", -1);
        String[] got = out.split("\n", -1);
        assertEquals(in.length, got.length);
        for (int i = 0; i < in.length; i++) {
            if (!in[i].startsWith("procs_")) assertEquals(in[i], got[i]);
        }
    }
}
