package io.proclens.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the registry refuses: names and series Prometheus would reject or mix up. */
class MetricsRegistryTest {
    private final MetricsRegistry registry = new MetricsRegistry();

    @Test
    void aCounterNameEndsInTotalAndAHistogramsInSeconds() {
        IllegalArgumentException counter = assertThrows(IllegalArgumentException.class,
                () -> registry.counter("demo_reads", "h", Labels.NONE));
        assertTrue(counter.getMessage().contains("_total"), counter.getMessage());
        assertThrows(IllegalArgumentException.class, () -> registry.histogram("demo_latency", "h", Labels.NONE, 1));
    }

    @Test
    void namesAndLabelNamesFollowPrometheusSyntax() {
        assertThrows(IllegalArgumentException.class, () -> registry.gauge("9lives", "h", Labels.NONE, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> registry.gauge("a-b", "h", Labels.NONE, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> Labels.of("op-name", "x"));
        assertThrows(IllegalArgumentException.class, () -> Labels.of("__reserved", "x"));
        assertThrows(IllegalArgumentException.class, () -> Labels.of("op", "a", "op", "b"));
        assertThrows(IllegalArgumentException.class, () -> Labels.of("op"));
        assertThrows(IllegalArgumentException.class,
                () -> registry.histogram("demo_seconds", "h", Labels.of("le", "1"), 1));
    }

    @Test
    void aSeriesIsRegisteredOnceAndAFamilyKeepsItsTypeAndHelp() {
        registry.gauge("demo_handles", "Open.", Labels.of("kind", "file"), () -> 1);
        assertThrows(IllegalArgumentException.class,
                () -> registry.gauge("demo_handles", "Open.", Labels.of("kind", "file"), () -> 2));
        assertThrows(IllegalArgumentException.class,
                () -> registry.gauge("demo_handles", "Other help.", Labels.of("kind", "dir"), () -> 2));
        assertThrows(IllegalArgumentException.class,
                () -> registry.counter("demo_handles", "Open.", Labels.of("kind", "dir"), () -> 2));
        registry.gauge("demo_handles", "Open.", Labels.of("kind", "dir"), () -> 2);
        assertEquals("""
                # HELP demo_handles Open.
                # TYPE demo_handles gauge
                demo_handles{kind="file"} 1
                demo_handles{kind="dir"} 2
                """, registry.scrape());
    }

    @Test
    void histogramBoundsArePositiveAndAscendingAndACounterOnlyGoesUp() {
        assertThrows(IllegalArgumentException.class, () -> new DurationHistogram());
        assertThrows(IllegalArgumentException.class, () -> new DurationHistogram(0, 5));
        assertThrows(IllegalArgumentException.class, () -> new DurationHistogram(5, 5));
        assertThrows(IllegalArgumentException.class, () -> new DurationHistogram(10, 5));
        assertThrows(IllegalArgumentException.class, () -> new Counter().add(-1));
    }

    @Test
    void aSupplierIsReadAtEachScrape() {
        long[] value = {1};
        registry.counter("demo_events_total", "Events.", Labels.NONE, () -> value[0]);
        assertTrue(registry.scrape().contains("demo_events_total 1\n"));
        value[0] = 7;
        assertTrue(registry.scrape().contains("demo_events_total 7\n"));
    }
}
