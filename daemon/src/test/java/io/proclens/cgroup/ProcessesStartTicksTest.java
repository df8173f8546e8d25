package io.proclens.cgroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** startTicks, read on every open: the in-place parse agrees with the string parse, and falls back to it. */
class ProcessesStartTicksTest {
    @TempDir
    Path proc;

    private Processes processes(String stat) throws Exception {
        Files.createDirectories(proc.resolve("self/ns"));
        if (!Files.exists(proc.resolve("self/ns/pid"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(proc.resolve("self/ns/pid"), Path.of("pid:[4026531836]"));
        }
        Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("42/stat"), stat);
        return new Processes(proc);
    }

    @Test
    void commWithSpacesAndParenthesesIsSkippedToTheLastParenthesis() throws Exception {
        Processes processes = processes("42 (a) b (c)) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0\n");
        assertEquals(987654, processes.startTicksFast(42));
        assertEquals(987654, processes.startTicks(42));
    }

    @Test
    void malformedStatFallsBackToTheSlowPathAndItsError() throws Exception {
        Processes processes = processes("42 (sh) S 1 42\n");
        assertEquals(-1, processes.startTicksFast(42));
        CgroupException e = assertThrows(CgroupException.class, () -> processes.startTicks(42));
        assertEquals(CgroupException.Kind.MALFORMED, e.kind());
    }

    @Test
    void aStatLongerThanTheBufferTakesTheSlowPath() throws Exception {
        String comm = "x".repeat(5000); // the kernel's comm is 16 bytes; a fixture may be anything
        Processes processes = processes("42 (" + comm + ") S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1234 0 0\n");
        assertEquals(-1, processes.startTicksFast(42));
        assertEquals(1234, processes.startTicks(42));
    }

    @Test
    void theLastFieldBeforeTheEndOfTheFileIsRead() throws Exception {
        Processes processes = processes("42 (sh) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 31337");
        assertEquals(31337, processes.startTicksFast(42));
    }

    @Test
    void anythingButOneBlankBetweenFieldsIsLeftToTheSlowPath() throws Exception {
        String fields = "1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0\n";
        for (String odd : new String[]{"42 (sh) S  " + fields, "42 (sh)  S " + fields, "42 (sh) \tS " + fields,
                "42 (sh) S 1\t" + fields.substring(2), "42 (sh) \u2000 S " + fields,
                "42 (sh) S " + fields.replace(" 0 1 0 555", " 0 1  555"), "42 (sh) S " + fields.replace("555 0 0\n", "555\n\n")}) {
            Processes processes = processes(odd);
            assertEquals(-1, processes.startTicksFast(42), odd);
        }
        assertEquals(555, processes("42 (sh) S " + fields).startTicksFast(42));
    }

    @Test
    void aMissingProcessIsNoSuchProcess() throws Exception {
        Processes processes = processes("42 (sh) S 1 42\n");
        assertEquals(-1, processes.startTicksFast(43));
        assertThrows(NoSuchProcessException.class, () -> processes.startTicks(43));
    }

    @Test
    void agreesWithTheStringParseOnThisMachine() {
        Processes processes = new Processes();
        int self = (int) ProcessHandle.current().pid();
        assertEquals(processes.caller(self).reaperStartTicks(), processes.startTicksFast(self));
    }
}
