package io.proclens.sys;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real processes and threads through pidfd_open and pidfd_send_signal (Linux 6.9+ for threads). */
class PidfdsTest {
    @Test
    void aDescriptorSaysItsProcessRunsUntilItIsReaped() throws Exception {
        Pidfds pidfds = new Pidfds(4);
        Process child = new ProcessBuilder("sleep", "60").start();
        int fd = pidfds.open((int) child.pid());
        try {
            assertTrue(fd >= 0, "pidfd_open of a running child");
            assertTrue(pidfds.alive(fd));
            child.destroyForcibly().waitFor();
            assertFalse(pidfds.alive(fd), "reaped: its pid is free for another process");
        } finally {
            pidfds.close(fd);
            child.destroyForcibly();
        }
        assertEquals(0, pidfds.openCount());
    }

    @Test
    void aThreadThatIsNotItsProcesssLeaderHasOneToo() throws Exception {
        Pidfds pidfds = new Pidfds(4);
        long self = ProcessHandle.current().pid();
        int thread;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            thread = tasks.map(p -> Integer.parseInt(p.getFileName().toString())).filter(t -> t != self)
                    .findFirst().orElseThrow();
        }
        int fd = pidfds.open(thread);
        org.junit.jupiter.api.Assumptions.assumeTrue(fd >= 0, "pidfds of threads need Linux 6.9");
        try {
            assertTrue(pidfds.alive(fd));
        } finally {
            pidfds.close(fd);
        }
    }

    @Test
    void noPidNoDescriptorAndNoneOverTheBudget() throws Exception {
        Pidfds pidfds = new Pidfds(1);
        assertEquals(-1, pidfds.open(Integer.MAX_VALUE));
        int fd = pidfds.open((int) ProcessHandle.current().pid());
        assertTrue(fd >= 0);
        assertEquals(-1, pidfds.open((int) ProcessHandle.current().pid()), "the budget is one");
        pidfds.close(fd);
        assertEquals(0, pidfds.openCount());
    }

    @Test
    void aBudgetOnlyForTheKernelsOwnProc(@org.junit.jupiter.api.io.TempDir Path fixture) {
        assertEquals(-1, Pidfds.forProc(fixture).open((int) ProcessHandle.current().pid()), "a fixture: none");
        Pidfds real = Pidfds.forProc(Path.of("/proc"));
        int fd = real.open((int) ProcessHandle.current().pid());
        assertTrue(fd >= 0, "the real /proc: a budget");
        real.close(fd);
    }
}
