package io.proclens.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The metric families of a process, by name, each with its series (one per set of labels). A series is a
 * {@link Counter} or {@link DurationHistogram} made here, or a number kept elsewhere and read through a supplier at
 * each scrape (a supplier must be safe to call from the scraping thread while the loop threads serve).
 *
 * <p>Registering and scraping take this registry's lock; recording into a counter or histogram never does.
 */
public final class MetricsRegistry {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    public enum Type {
        COUNTER, GAUGE, HISTOGRAM;

        /** The word of a {@code # TYPE} line. */
        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One series of a family: its labels and, by type, a {@link LongSupplier} or a {@link DurationHistogram}. */
    record Series(Labels labels, LongSupplier value, DurationHistogram histogram) {
    }

    /** A family: name, help and type once, then its series in the order they were registered. */
    record Family(String name, String help, Type type, List<Series> series) {
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** A counter incremented here; {@code name} ends in {@code _total}. */
    public Counter counter(String name, String help, Labels labels) {
        Counter counter = new Counter();
        add(name, help, Type.COUNTER, new Series(labels, counter::value, null));
        return counter;
    }

    /** A counter kept elsewhere (never decreasing while the process lives); {@code name} ends in {@code _total}. */
    public void counter(String name, String help, Labels labels, LongSupplier total) {
        add(name, help, Type.COUNTER, new Series(labels, total, null));
    }

    /** A number that goes up and down, read at each scrape. */
    public void gauge(String name, String help, Labels labels, LongSupplier value) {
        add(name, help, Type.GAUGE, new Series(labels, value, null));
    }

    /** A histogram of durations; {@code name} ends in {@code _seconds}, the unit it is shown in. */
    public DurationHistogram histogram(String name, String help, Labels labels, long... upperBoundsNanos) {
        if (labels.names().contains("le")) throw new IllegalArgumentException("'le' is the bucket label of " + name);
        DurationHistogram histogram = new DurationHistogram(upperBoundsNanos);
        add(name, help, Type.HISTOGRAM, new Series(labels, null, histogram));
        return histogram;
    }

    private synchronized void add(String name, String help, Type type, Series series) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a metric name: '" + name + "'");
        }
        if (type == Type.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        if (type == Type.HISTOGRAM && !name.endsWith("_seconds")) {
            throw new IllegalArgumentException("a duration histogram's name ends in _seconds: " + name);
        }
        Family family = families.get(name);
        if (family == null) {
            family = new Family(name, help, type, new ArrayList<>());
            families.put(name, family);
        } else if (family.type() != type || !family.help().equals(help)) {
            throw new IllegalArgumentException(name + " is already a " + family.type().word() + " with other help");
        }
        for (Series existing : family.series()) {
            if (existing.labels().equals(series.labels())) {
                throw new IllegalArgumentException(name + " already has a series " + series.labels());
            }
        }
        family.series().add(series);
    }

    /** Every family in Prometheus' text format, each family in the order it was first registered. */
    public synchronized String scrape() {
        StringBuilder text = new StringBuilder(4096);
        for (Family family : families.values()) TextFormat.write(family, text);
        return text.toString();
    }
}
