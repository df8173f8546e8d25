package io.proclens.metrics;

import java.math.BigDecimal;

/**
 * Prometheus' text exposition format, version 0.0.4: per family a {@code # HELP} and a {@code # TYPE} line, then a
 * line per sample, {@code name{label="value",...} number}; a histogram's series as {@code _bucket} lines with a
 * cumulative count per upper bound {@code le} (the last "+Inf"), then {@code _sum} and {@code _count}.
 */
public final class TextFormat {
    /** The Content-Type of a scrape's answer. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private TextFormat() {
    }

    static void write(MetricsRegistry.Family family, StringBuilder out) {
        out.append("# HELP ").append(family.name()).append(' ');
        escape(family.help(), false, out);
        out.append('\n');
        out.append("# TYPE ").append(family.name()).append(' ').append(family.type().word()).append('\n');
        for (MetricsRegistry.Series series : family.series()) {
            if (series.histogram() != null) {
                writeHistogram(family.name(), series.labels(), series.histogram().snapshot(), out);
            } else {
                sample(family.name(), series.labels(), null, Long.toString(series.value().getAsLong()), out);
            }
        }
    }

    private static void writeHistogram(String name, Labels labels, DurationHistogram.Snapshot snapshot,
                                       StringBuilder out) {
        long[] bounds = snapshot.upperBoundsNanos();
        long[] counts = snapshot.cumulativeCounts();
        for (int i = 0; i < counts.length; i++) {
            String le = i < bounds.length ? seconds(bounds[i]) : "+Inf";
            sample(name + "_bucket", labels, le, Long.toString(counts[i]), out);
        }
        sample(name + "_sum", labels, null, seconds(snapshot.sumNanos()), out);
        sample(name + "_count", labels, null, Long.toString(snapshot.count()), out);
    }

    /** One line; {@code le}, when not null, is written as the last label. */
    private static void sample(String name, Labels labels, String le, String value, StringBuilder out) {
        out.append(name);
        if (!labels.names().isEmpty() || le != null) {
            out.append('{');
            for (int i = 0; i < labels.names().size(); i++) {
                if (i > 0) out.append(',');
                out.append(labels.names().get(i)).append("=\"");
                escape(labels.values().get(i), true, out);
                out.append('"');
            }
            if (le != null) {
                if (!labels.names().isEmpty()) out.append(',');
                out.append("le=\"").append(le).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    /**
     * Nanoseconds as seconds in plain decimal, exact: 5000 is "0.000005", 1500000000 is "1.5", 0 is "0" (a
     * double's "5.0E-6" would parse too, but bucket bounds are part of a series' identity: better readable).
     */
    static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    /** The format's escapes: backslash and newline in help texts, and the double quote too in label values. */
    private static void escape(String text, boolean labelValue, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(labelValue ? "\\\"" : "\"");
                default -> out.append(c);
            }
        }
    }
}
