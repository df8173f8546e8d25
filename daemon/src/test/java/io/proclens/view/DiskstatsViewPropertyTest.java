package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cgroup.DeviceIo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

class DiskstatsViewPropertyTest {

    /** Every token that looks like an integer is a plain non-negative decimal that fits a long: no "-", no wrap. */
    static void assertNoNegativeOrWrappedNumber(String line) {
        for (String token : line.strip().split("\\s+")) {
            if (!token.matches("[-+]?\\d+")) continue;
            assertTrue(token.matches("\\d{1,19}"), "not a plain non-negative number: " + token + " in: " + line);
            Long.parseLong(token); // throws above Long.MAX_VALUE
        }
    }

    @Property
    void noRenderedNumberIsNegativeOrWrapped(@ForAll("hosts") String host, @ForAll("devices") List<DeviceIo> devices) {
        for (String line : DiskstatsView.render(host, devices).split("\n")) assertNoNegativeOrWrappedNumber(line);
    }

    @Property
    void everyLineIsAHostDeviceWithTheHostsFieldCountNoNumberAboveTheHostsAndNotAllZero(
            @ForAll("hosts") String host, @ForAll("devices") List<DeviceIo> devices) {
        Map<String, List<String[]>> hostLines = new HashMap<>();
        for (String line : host.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 3) hostLines.computeIfAbsent(f[0] + " " + f[1] + " " + f[2], k -> new ArrayList<>()).add(f);
        }
        String out = DiskstatsView.render(host, devices);
        for (String line : out.isEmpty() ? new String[0] : out.split("\n")) {
            String[] f = line.strip().split("\\s+");
            List<String[]> candidates = hostLines.getOrDefault(f[0] + " " + f[1] + " " + f[2], List.of());
            assertTrue(candidates.stream().anyMatch(h -> fitsUnder(f, h)),
                    "no host line with as many fields, each at least ours: " + line);
            assertTrue(Arrays.stream(f, 3, f.length).anyMatch(t -> !t.equals("0")), "a line of zeros: " + line);
        }
    }

    /** Same field count, and each of ours at most the host's where the host's is a number. */
    private static boolean fitsUnder(String[] ours, String[] host) {
        if (ours.length != host.length) return false;
        for (int i = 3; i < ours.length; i++) {
            OptionalLong h = asLong(host[i]);
            if (h.isPresent() && Long.parseLong(ours[i]) > h.getAsLong()) return false;
        }
        return true;
    }

    private static OptionalLong asLong(String token) {
        if (!token.matches("\\d{1,19}")) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(token));
        } catch (NumberFormatException tooLarge) {
            return OptionalLong.empty();
        }
    }

    // ---------------------------------------------------------------- generators

    /** Device numbers from a small set, so that host lines and the cgroup's devices meet. */
    private static Arbitrary<Integer> deviceNumber() {
        return Arbitraries.integers().between(0, 3);
    }

    /** Any counter, with the edge cases a long has. */
    private static Arbitrary<Long> counter() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 1000),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.of(0L, 1L, Long.MAX_VALUE, Long.MAX_VALUE - 1, 4294967295L));
    }

    /** A host field: mostly counters, sometimes a wrapped u64, a negative or text, which the kernel never prints. */
    private static Arbitrary<String> hostField() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, counter().map(String::valueOf)),
                Tuple.of(1, Arbitraries.of("18446744073709551615", "9223372036854775808", "-1", "x", "")));
    }

    private static Arbitrary<String> hostLine() {
        Arbitrary<String> disk = Combinators.combine(
                deviceNumber(), deviceNumber(), Arbitraries.of("sda", "vda", "nvme0n1", "dm-0", "0"),
                hostField().list().ofMaxSize(22), Arbitraries.of("", "  ", "\t"))
                .as((major, minor, name, fields, pad) -> pad + String.format("%4d %7d %s", major, minor, name)
                        + (fields.isEmpty() ? "" : " " + String.join(" ", fields)));
        Arbitrary<String> garbage = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30);
        return Arbitraries.frequencyOf(Tuple.of(9, disk), Tuple.of(1, garbage));
    }

    @Provide
    Arbitrary<String> hosts() {
        return hostLine().list().ofMaxSize(8).map(lines -> String.join("\n", lines) + "\n");
    }

    @Provide
    Arbitrary<List<DeviceIo>> devices() {
        Arbitrary<DeviceIo> device = Combinators.combine(deviceNumber(), deviceNumber(), counter().list().ofSize(13))
                .as((major, minor, n) -> new DeviceIo(major, minor, n.get(0), n.get(1), n.get(2), n.get(3), n.get(4),
                        n.get(5), n.get(6), n.get(7), n.get(8), n.get(9), n.get(10), n.get(11), n.get(12)));
        return device.list().ofMaxSize(6).map(ArrayList::new);
    }
}
