package io.proclens.cli;

import io.proclens.metrics.ListenAddress;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mount --metrics ADDRESS}: off unless given, a bad address a usage error, and passed on to the worker. */
class MetricsOptionTest {
    @Test
    void offByDefault() {
        MountCommand mount = new MountCommand();
        new CommandLine(mount).parseArgs();
        assertNull(mount.serving.metrics);
        assertTrue(mount.serving.asArguments().stream().noneMatch(a -> a.equals("--metrics")));
    }

    @Test
    void givenItReachesTheWorkersArguments() {
        MountCommand mount = new MountCommand();
        new CommandLine(mount).parseArgs("--metrics", "127.0.0.1:9464", "/mnt/x");
        assertEquals(new ListenAddress("127.0.0.1", 9464), mount.serving.metrics);
        List<String> worker = mount.serving.asArguments();
        int at = worker.indexOf("--metrics");
        assertEquals("127.0.0.1:9464", worker.get(at + 1));
    }

    @Test
    void aBadAddressIsAUsageErrorThatSaysWhy() {
        for (String[] bad : new String[][] {{"nonsense", "HOST:PORT"}, {"127.0.0.1:0", "1 to 65535"},
                {"::1:9464", "brackets"}, {"192.0.2.1:9464", "not an address of this machine"}}) {
            StringWriter err = new StringWriter();
            CommandLine commandLine = new CommandLine(new MountCommand()).setErr(new PrintWriter(err));
            int status = commandLine.execute("--metrics", bad[0], "/mnt/x");
            assertEquals(2, status, "picocli's status for a usage error: " + err);
            assertTrue(err.toString().contains("Invalid value for option '--metrics'"), err.toString());
            assertTrue(err.toString().contains(bad[1]), err.toString());
        }
    }
}
