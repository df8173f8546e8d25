package io.proclens.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the holder writes for a worker reads the same without picocli as with it. */
class WorkerArgumentsTest {
    @Test
    void everyOptionTheHolderPassesReadsAsPicocliReadsIt() throws Exception {
        for (List<String> mountOptions : List.of(List.<String>of(), List.of("--threads", "7", "--cache-ttl", "0"),
                List.of("-u", "--enable-cfs", "-l", "--debug", "--threads", "3"),
                List.of("--metrics", "127.0.0.1:9464"), List.of("--metrics", ":9464", "--cache-ttl", "5"))) {
            ServingOptions holders = new ServingOptions();
            new CommandLine(holders).parseArgs(mountOptions.toArray(String[]::new));
            List<String> worker = new ArrayList<>(List.of("--worker", "4", "--holder", "/run/proclens/h.sock"));
            worker.addAll(holders.asArguments());
            worker.add("/var/lib/proclens");

            ServeCommand byPicocli = new ServeCommand();
            new CommandLine(byPicocli).parseArgs(worker.toArray(String[]::new));
            ServeCommand byUs = WorkerArguments.parse(worker);
            assertSameFields(byPicocli, byUs, worker);
            assertSameFields(byPicocli.serving, byUs.serving, worker);
        }
    }

    @Test
    void anArgumentTheHolderNeverWritesIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> WorkerArguments.parse(List.of("--holder", "/s", "--worker", "1", "--no-such")));
        assertThrows(IllegalArgumentException.class, () -> WorkerArguments.parse(List.of("--holder")));
        assertThrows(IllegalArgumentException.class, () -> WorkerArguments.parse(List.of("--worker", "1", "/mnt")));
    }

    private static void assertSameFields(Object expected, Object actual, List<String> args) throws Exception {
        for (Field field : expected.getClass().getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(field.getModifiers()) || field.getName().equals("serving")) continue;
            field.setAccessible(true);
            assertEquals(field.get(expected), field.get(actual), field.getName() + " of " + args);
        }
    }
}
