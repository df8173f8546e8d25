package io.proclens.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Prometheus' text exposition format 0.0.4, line by line. */
class TextFormatTest {
    @Test
    void aSmallRegistryIsWrittenExactly() {
        MetricsRegistry registry = new MetricsRegistry();
        Counter reads = registry.counter("demo_reads_total", "Reads answered.", Labels.NONE);
        registry.gauge("demo_open_handles", "Files open now.", Labels.NONE, () -> 3);
        registry.counter("demo_fallbacks_total", "Host's file answered, by reason.", Labels.of("reason", "no_psi"), () -> 2);
        registry.counter("demo_fallbacks_total", "Host's file answered, by reason.", Labels.of("reason", "gone"), () -> 0);
        DurationHistogram latency = registry.histogram("demo_duration_seconds", "Time per request.",
                Labels.of("op", "read"), 5_000, 1_000_000);
        reads.increment();
        reads.add(4);
        latency.record(5_000);         // on the first bound: counted in it
        latency.record(700_000);       // second bucket
        latency.record(2_500_000_000L); // above every bound: +Inf only

        assertEquals("""
                # HELP demo_reads_total Reads answered.
                # TYPE demo_reads_total counter
                demo_reads_total 5
                # HELP demo_open_handles Files open now.
                # TYPE demo_open_handles gauge
                demo_open_handles 3
                # HELP demo_fallbacks_total Host's file answered, by reason.
                # TYPE demo_fallbacks_total counter
                demo_fallbacks_total{reason="no_psi"} 2
                demo_fallbacks_total{reason="gone"} 0
                # HELP demo_duration_seconds Time per request.
                # TYPE demo_duration_seconds histogram
                demo_duration_seconds_bucket{op="read",le="0.000005"} 1
                demo_duration_seconds_bucket{op="read",le="0.001"} 2
                demo_duration_seconds_bucket{op="read",le="+Inf"} 3
                demo_duration_seconds_sum{op="read"} 2.500705
                demo_duration_seconds_count{op="read"} 3
                """, registry.scrape());
    }

    @Test
    void aHistogramWithoutLabelsHasOnlyLeOnItsBuckets() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.histogram("demo_seconds", "h", Labels.NONE, 1_000_000_000);
        assertEquals("""
                # HELP demo_seconds h
                # TYPE demo_seconds histogram
                demo_seconds_bucket{le="1"} 0
                demo_seconds_bucket{le="+Inf"} 0
                demo_seconds_sum 0
                demo_seconds_count 0
                """, registry.scrape());
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndNewlineAndHelpEscapesBackslashAndNewline() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.gauge("demo_paths", "A \"path\" with a \\ and a\nnewline.",
                Labels.of("path", "C:\\dir\\\"quoted\"\nnext", "plain", "ünïcode"), () -> 1);
        List<String> lines = registry.scrape().lines().toList();
        assertEquals("# HELP demo_paths A \"path\" with a \\\\ and a\\nnewline.", lines.get(0));
        assertEquals("demo_paths{path=\"C:\\\\dir\\\\\\\"quoted\\\"\\nnext\",plain=\"ünïcode\"} 1", lines.get(2));
        assertEquals(3, lines.size(), "a newline in a value never starts a line");
    }

    @Test
    void bucketsAreCumulativeAndInfEqualsTheCount() {
        MetricsRegistry registry = new MetricsRegistry();
        DurationHistogram histogram = registry.histogram("demo_seconds", "h", Labels.NONE, 10, 20, 30);
        long[] durations = {0, 10, 11, 20, 25, 31, 1_000, -5};
        for (long nanos : durations) histogram.record(nanos);
        DurationHistogram.Snapshot snapshot = histogram.snapshot();
        // le 10: 0, 10, -5 (as 0); le 20: + 11, 20; le 30: + 25; +Inf: + 31, 1000
        assertEquals(List.of(3L, 5L, 6L, 8L), java.util.Arrays.stream(snapshot.cumulativeCounts()).boxed().toList());
        assertEquals(durations.length, snapshot.count());
        assertEquals(0 + 10 + 11 + 20 + 25 + 31 + 1_000, snapshot.sumNanos(), "a negative duration counts as 0");
        String text = registry.scrape();
        assertEquals(true, text.contains("demo_seconds_bucket{le=\"+Inf\"} 8\n"), text);
        assertEquals(true, text.contains("demo_seconds_count 8\n"), text);
    }

    @Test
    void secondsAreExactPlainDecimals() {
        assertEquals("0", TextFormat.seconds(0));
        assertEquals("0.000000001", TextFormat.seconds(1));
        assertEquals("0.000025", TextFormat.seconds(25_000));
        assertEquals("0.0025", TextFormat.seconds(2_500_000));
        assertEquals("1", TextFormat.seconds(1_000_000_000));
        assertEquals("12.5", TextFormat.seconds(12_500_000_000L));
    }
}
