package io.proclens.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** One series' label names and values, in the order they are written. */
public record Labels(List<String> names, List<String> values) {
    public static final Labels NONE = new Labels(List.of(), List.of());
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    public Labels {
        names = List.copyOf(names);
        values = List.copyOf(values);
        if (names.size() != values.size()) {
            throw new IllegalArgumentException("a value for each label name: " + names);
        }
        for (String name : names) {
            // "__" starts the names Prometheus keeps for itself
            if (!NAME.matcher(name).matches() || name.startsWith("__")) {
                throw new IllegalArgumentException("not a label name: '" + name + "'");
            }
        }
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("a label twice: " + names);
        }
    }

    /** {@code of("op", "read", "reason", "x")}: names and values in turn. */
    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("names and values in pairs");
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            names.add(namesAndValues[i]);
            values.add(namesAndValues[i + 1]);
        }
        return new Labels(names, values);
    }
}
