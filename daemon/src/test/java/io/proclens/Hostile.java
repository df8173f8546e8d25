package io.proclens;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Hostile kernel text for the *FuzzTest classes: mutations of real files (truncated, tokens replaced by numbers
 * beyond a long, negatives, "max", binary bytes, whitespace of every kind, lines repeated thousands of times, huge
 * lines) and the checks every parser must pass (a value, or its declared exception naming the file; nothing else,
 * no hang).
 *
 * <p>Text is made of chars 0..255 standing for bytes (files are written as ISO-8859-1, so "\u00c3" alone is
 * invalid UTF-8 on disk) plus, from {@link #token()}, a few chars above 255 for parsers that take a String.
 */
public final class Hostile {
    private Hostile() {
    }

    /** Tokens that break naive number and field parsing. */
    public static final List<String> TOKENS = List.of(
            "", " ", "  ", "\t", "0", "1", "7", "-1", "-0", "+1", "-9223372036854775808", "max", "MAX", "-max",
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551360",
            "4611686018427387904", "99999999999999999999999999999", "00000000000000000000000000001",
            "1e9", "0x10", "1.5", "1,5", ".", "NaN", "Infinity", "\0", "\0\0\0", "\u00ff", "\u0080", "\u00c3", "\u00c3(",
            "\r", "\r\n", "\n", "\n\n", "\u000b", "\u000c", "\u001c", "\u00a0", ":", "::", "-", "=", "==", ")", "(",
            ") ", " (deleted)", "/", "//", "..", "/../", "\\", "\\000", "\\040", "\\12", "\u0660", "\uff11",
            "\ufffd", "\ud800", "cpu", "some", "full", "total=", "avg10=", "Read", "Total", "8:0", "0:0", ":1", "1:",
            "4294967296:1", "name=x", "cgroup", "cgroup2", "-", "0::/", "1:cpu:/", "user", "system", "usage_usec");

    private static final List<String> BLANKS = List.of("", " ", "  ", "\t", "\r", "\r\n", "\n", "\n\n",
            "\u000b", "\u000c", "\u001c", "\u00a0", "\0");

    /** One hostile token: a listed one, a random long (negatives too), random bytes, any chars, or a huge one. */
    public static Arbitrary<String> token() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, Arbitraries.of(TOKENS)),
                net.jqwik.api.Tuple.of(5, Arbitraries.longs().map(String::valueOf)),
                net.jqwik.api.Tuple.of(2, Arbitraries.bigIntegers()
                        .between(java.math.BigInteger.ZERO, java.math.BigInteger.TEN.pow(40)).map(String::valueOf)),
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(12)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMaxLength(6)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("9".repeat(5000), "x".repeat(100_000), " ".repeat(10_000),
                        "\n".repeat(10_000), "1\n".repeat(20_000), "(".repeat(3000) + ")".repeat(3000))));
    }

    /** One edit of a text, at a position given as a fraction of its length so that it fits any text. */
    public static Arbitrary<UnaryOperator<String>> mutation() {
        Arbitrary<Double> at = Arbitraries.doubles().between(0, 1);
        Arbitrary<UnaryOperator<String>> truncate = at.map(f -> s -> s.substring(0, index(s, f)));
        Arbitrary<UnaryOperator<String>> insert = Combinators.combine(at, token())
                .as((f, t) -> s -> s.substring(0, index(s, f)) + t + s.substring(index(s, f)));
        Arbitrary<UnaryOperator<String>> replaceWord = Combinators.combine(at, token()).as((f, t) -> s -> {
            int i = index(s, f);
            int from = i;
            while (from > 0 && !Character.isWhitespace(s.charAt(from - 1))) from--;
            int to = i;
            while (to < s.length() && !Character.isWhitespace(s.charAt(to))) to++;
            return s.substring(0, from) + t + s.substring(to);
        });
        Arbitrary<UnaryOperator<String>> replaceNumber = Combinators.combine(at, token()).as((f, t) -> s -> {
            int i = index(s, f);
            while (i < s.length() && !Character.isDigit(s.charAt(i))) i++;
            int to = i;
            while (to < s.length() && Character.isDigit(s.charAt(to))) to++;
            return s.substring(0, i) + t + s.substring(to);
        });
        Arbitrary<UnaryOperator<String>> delete = Combinators.combine(at, at).as((f, g) -> s -> {
            int a = index(s, Math.min(f, g));
            int b = index(s, Math.max(f, g));
            return s.substring(0, a) + s.substring(b);
        });
        Arbitrary<UnaryOperator<String>> blank = Combinators.combine(at, Arbitraries.of(BLANKS)).as((f, w) -> s -> {
            int i = index(s, f);
            while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\n' && s.charAt(i) != '\t') i++;
            return i >= s.length() ? s + w : s.substring(0, i) + w + s.substring(i + 1);
        });
        Arbitrary<UnaryOperator<String>> repeatLine = Combinators.combine(at,
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, Arbitraries.integers().between(2, 20)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.of(5_000, 20_000)))).as((f, n) -> s -> {
            int i = index(s, f);
            int start = s.lastIndexOf('\n', Math.max(0, i - 1)) + 1;
            int end = s.indexOf('\n', i);
            String line = end < 0 ? s.substring(start) + "\n" : s.substring(start, end + 1);
            return s.substring(0, start) + line.repeat(Math.min(n, MAX_LENGTH / Math.max(1, line.length()))) + s.substring(start);
        });
        Arbitrary<UnaryOperator<String>> repeatAll = Arbitraries.integers().between(2, 40).map(n -> s -> s.repeat(Math.min(n, MAX_LENGTH / Math.max(1, s.length()))));
        Arbitrary<Character> special = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of('\0', '\n', '\r', ' ', '\t', ':', '/', '\\', '\u00ff', '\u00c3',
                        '\u0080', '-', ')', '(', '=', ',', '.')),
                net.jqwik.api.Tuple.of(1, Arbitraries.chars().range('\0', '\u00ff')));
        Arbitrary<UnaryOperator<String>> binary = Combinators.combine(at, special)
                .as((f, c) -> s -> s.substring(0, index(s, f)) + c + s.substring(index(s, f)));
        Arbitrary<UnaryOperator<String>> empty = Arbitraries.of(List.<UnaryOperator<String>>of(s -> "", String::strip,
                s -> s.replace("\n", ""), s -> s.replace(' ', '\t'), s -> s.replace("\n", "\r\n"), s -> s + s.substring(0, Math.min(s.length(), MAX_LENGTH))));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, truncate), net.jqwik.api.Tuple.of(4, insert),
                net.jqwik.api.Tuple.of(4, replaceWord), net.jqwik.api.Tuple.of(6, replaceNumber),
                net.jqwik.api.Tuple.of(2, delete), net.jqwik.api.Tuple.of(3, blank),
                net.jqwik.api.Tuple.of(2, repeatLine), net.jqwik.api.Tuple.of(1, repeatAll),
                net.jqwik.api.Tuple.of(6, binary), net.jqwik.api.Tuple.of(1, empty));
    }

    /** Longest text made (a few times a real file's length, far above any line a parser should keep). */
    public static final int MAX_LENGTH = 1 << 18;

    private static int index(String s, double fraction) {
        return Math.min(s.length(), (int) (fraction * (s.length() + 1)));
    }

    /** The seeds, each edited by 0 to 4 mutations. */
    public static Arbitrary<String> mutated(String... seeds) {
        return Combinators.combine(Arbitraries.of(seeds), mutation().list().ofMaxSize(4)).as((seed, edits) -> {
            String s = seed;
            for (UnaryOperator<String> edit : edits) {
                s = edit.apply(s);
                if (s.length() > MAX_LENGTH) s = s.substring(0, MAX_LENGTH);
            }
            return s;
        });
    }

    /** Mostly edited seeds; sometimes a bare token, random bytes, or whitespace only. */
    public static Arbitrary<String> text(String... seeds) {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(14, mutated(seeds)),
                net.jqwik.api.Tuple.of(2, token()),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(300)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withChars(" \t\n\r\u000b\u000c").ofMaxLength(50)));
    }

    // ---------------------------------------------------------------- files

    /** Writes the text as bytes (chars above 255 become '?', as ISO-8859-1 encodes them). */
    public static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, text.getBytes(ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path tempDir() {
        try {
            return Files.createTempDirectory("proclens-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- checks

    /** A parse step that may fail only with its declared exception. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws Exception;
    }

    /** Hang guard only (a parser looping forever), far above any real run time; not a performance bound. */
    private static final long HANG_SECONDS = 60;
    private static final ExecutorService RUNNER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-runner");
        t.setDaemon(true);
        return t;
    });

    /**
     * Runs {@code call}: its value, or null when it threw {@code declared} (whose message must name
     * {@code mustName}, when given). Anything else thrown, or a hang, fails the try with the input shown.
     */
    public static <T> T outcome(Call<T> call, Class<? extends Throwable> declared, String mustName, Object input) {
        Future<T> future = RUNNER.submit(call::run);
        try {
            return future.get(HANG_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return fail("hangs on input " + shown(input));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (!declared.isInstance(t)) {
                AssertionErrorWithCause error = new AssertionErrorWithCause(
                        "undeclared " + t + " on input " + shown(input), t);
                throw error;
            }
            assertNotNull(t.getMessage(), "an error without a message");
            if (mustName != null) {
                assertTrue(t.getMessage().contains(mustName),
                        () -> "the message does not name " + mustName + ": " + t.getMessage());
            }
            return null;
        }
    }

    private static final class AssertionErrorWithCause extends AssertionError {
        AssertionErrorWithCause(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The input, escaped and cut, for a failure message. */
    public static String shown(Object input) {
        String s = String.valueOf(input);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 400); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\') out.append(c);
            else out.append(String.format("\\u%04x", (int) c));
        }
        if (s.length() > 400) out.append("...(").append(s.length()).append(" chars)");
        return "'" + out + "'";
    }

    /**
     * Every run of digits in a rendered text is a number a long holds, and none is preceded by '-' at the start of a
     * token: no negative, nothing at or above 2^63, no wrapped unsigned value.
     */
    public static void assertSaneNumbers(String text) {
        int i = 0;
        while (i < text.length()) {
            if (!Character.isDigit(text.charAt(i)) || text.charAt(i) > '9') {
                i++;
                continue;
            }
            int start = i;
            while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') i++;
            String digits = text.substring(start, i);
            if (start > 0 && text.charAt(start - 1) == '-' && (start == 1 || Character.isWhitespace(text.charAt(start - 2)))) {
                fail("negative number -" + digits + " in " + shown(text));
            }
            assertTrue(digits.length() <= 19 && new java.math.BigInteger(digits)
                            .compareTo(java.math.BigInteger.valueOf(Long.MAX_VALUE)) <= 0,
                    () -> "number at or above 2^63: " + digits + " in " + shown(text));
        }
    }
}
