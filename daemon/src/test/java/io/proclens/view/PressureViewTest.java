package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PressureViewTest {

    static String fixture(String name) {
        try (InputStream in = PressureViewTest.class.getResourceAsStream("/pressure/" + name)) {
            if (in == null) throw new IllegalStateException("missing fixture /pressure/" + name);
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cgroup-cpu.pressure", "cgroup-io.pressure", "cgroup-memory.pressure",
            "unified-root-cpu.pressure", "unified-root-io.pressure", "unified-root-memory.pressure",
            "proc-pressure-cpu", "proc-pressure-io", "proc-pressure-memory", "handmade-some-only.pressure"})
    void theKernelsFilesComeOutByteForByte(String name) {
        String text = fixture(name);
        assertEquals(text, PressureView.render(text));
    }

    @Test
    void parsedValues() {
        PressureView.Stall stall = PressureView.parse(fixture("cgroup-cpu.pressure"));

        assertEquals(new PressureView.Line("some", 5691, 1477, 329, 9856935), stall.some());
        assertEquals(Optional.of(new PressureView.Line("full", 3467, 917, 204, 6185156)), stall.full());
    }

    @Test
    void theFullLineIsOptional() {
        String some = "some avg10=0.12 avg60=0.05 avg300=0.01 total=123456\n";
        assertEquals(Optional.empty(), PressureView.parse(some).full());
        assertEquals(some, PressureView.render(some));
    }

    @Test
    void aMissingFinalNewlineIsAdded() {
        assertEquals("some avg10=1.00 avg60=2.00 avg300=3.00 total=4\n",
                PressureView.render("some avg10=1.00 avg60=2.00 avg300=3.00 total=4"));
    }

    @Test
    void theWholeRangeOfTheCounters() {
        String text = "some avg10=100.00 avg60=99.99 avg300=0.01 total=18446744073709551615\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=9223372036854775808\n";
        assertEquals(text, PressureView.render(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "\n",
            "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",                                   // no "some"
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                    + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",                         // three lines
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n\n",                                 // blank line
            "some avg10=0.00 avg60=0.00 avg300=0.00\n",                                           // no total
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0 extra=1\n",
            "some avg60=0.00 avg10=0.00 avg300=0.00 total=0\n",                                   // order
            "some avg10=0.0 avg60=0.00 avg300=0.00 total=0\n",                                    // one place
            "some avg10=.50 avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=1 avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=1e2.00 avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n",               // 2^64
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=\n",
            "some  avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",                                  // two spaces
            "some\tavg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\r\n",
            "Some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
            "cpu  1 2 3 4 5 6 7 8 9 10\n",                                                         // another file
    })
    void malformedTextIsAClearErrorNeverARepair(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PressureView.render(text));
        assertTrue(e.getMessage().startsWith("malformed pressure file, line "), e.getMessage());
    }
}
