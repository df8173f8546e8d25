package io.proclens.control;

import io.proclens.render.Options;

/** Parses "enable-cfs=true disable-swap=false ..." into changed {@link Options}; all or nothing. */
public final class OptionChanges {
    private OptionChanges() {
    }

    /** @throws IllegalArgumentException naming the first bad word; then nothing changes */
    public static Options apply(Options options, String changes) {
        boolean cfs = options.enableCfs();
        boolean loadavg = options.enableLoadavg();
        boolean swap = options.swapEnabled();
        String[] words = changes.strip().split("\\s+");
        if (words.length == 1 && words[0].isEmpty()) throw new IllegalArgumentException("nothing to set");
        for (String word : words) {
            int equals = word.indexOf('=');
            if (equals < 0) throw new IllegalArgumentException("'" + word + "' is not NAME=true|false");
            String name = word.substring(0, equals);
            String value = word.substring(equals + 1);
            switch (name) {
                case "enable-cfs" -> cfs = parseBoolean(value, word);
                case "enable-loadavg" -> loadavg = parseBoolean(value, word);
                case "disable-swap" -> swap = !parseBoolean(value, word);
                default -> throw new IllegalArgumentException(
                        "unknown option '" + name + "' (enable-cfs, enable-loadavg, disable-swap)");
            }
        }
        return new Options(cfs, loadavg, swap);
    }

    private static boolean parseBoolean(String text, String word) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + word + "': the value must be true or false");
        };
    }
}
