package io.proclens.fuse;

import io.proclens.fuse.RequestMetrics.Op;
import io.proclens.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestMetricsTest {
    @Test
    void offItReadsNoClockAndCountsNothing() {
        assertEquals(0, RequestMetrics.OFF.start());
        RequestMetrics.OFF.done(Op.READ, 0);
        assertEquals(0, RequestMetrics.OFF.count(Op.READ));
    }

    @Test
    void onEachOpHasARequestCountAndADurationHistogram() {
        MetricsRegistry registry = new MetricsRegistry();
        RequestMetrics metrics = RequestMetrics.registeredIn(registry);
        metrics.done(Op.READ, metrics.start());
        metrics.done(Op.READ, metrics.start());
        metrics.done(Op.LOOKUP, metrics.start());
        assertEquals(2, metrics.count(Op.READ));
        String text = registry.scrape();
        assertTrue(text.contains("proclens_fuse_requests_total{op=\"read\"} 2\n"), text);
        assertTrue(text.contains("proclens_fuse_requests_total{op=\"release\"} 0\n"), text);
        assertTrue(text.contains("proclens_fuse_request_duration_seconds_count{op=\"lookup\"} 1\n"), text);
        assertTrue(text.contains("proclens_fuse_request_duration_seconds_bucket{op=\"read\",le=\"0.000005\"} "), text);
        assertTrue(text.contains("proclens_fuse_request_duration_seconds_bucket{op=\"read\",le=\"0.1\"} "), text);
        for (Op op : Op.values()) {
            assertTrue(text.contains("proclens_fuse_requests_total{op=\"" + op.label() + "\"} "), op.toString());
        }
    }
}
