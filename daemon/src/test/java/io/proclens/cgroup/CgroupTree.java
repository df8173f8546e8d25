package io.proclens.cgroup;

import io.proclens.Hostile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * A throwaway cgroup for the fuzz tests: HIERARCHY/a/b, every controller located at b, and hostile files at each of
 * the three levels (a file may also be absent).
 */
final class CgroupTree implements AutoCloseable {
    final Path root = Hostile.tempDir();
    final Path hierarchy = root.resolve("h");
    final Path dir = hierarchy.resolve("a/b");
    final Cgroup cgroup;

    CgroupTree(Cgroup.Version version, Map<String, Optional<String>> leaf, Map<String, Optional<String>> ancestors) {
        write(dir, leaf);
        write(dir.getParent(), ancestors);
        write(hierarchy, ancestors);
        Cgroup.Location at = new Cgroup.Location(version, dir, hierarchy);
        Map<Cgroup.Controller, Cgroup.Location> all = new EnumMap<>(Cgroup.Controller.class);
        for (Cgroup.Controller c : Cgroup.Controller.values()) all.put(c, at);
        cgroup = Cgroup.of(all);
    }

    private static void write(Path dir, Map<String, Optional<String>> files) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.forEach((name, text) -> text.ifPresent(t -> Hostile.write(dir.resolve(name), t)));
    }

    /** Hostile contents for the named files, each absent one time in eight. */
    static Arbitrary<Map<String, Optional<String>>> files(Map<String, List<String>> seeds) {
        List<String> names = List.copyOf(seeds.keySet());
        List<Arbitrary<Optional<String>>> texts = new java.util.ArrayList<>();
        for (String name : names) {
            texts.add(Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(7, Hostile.text(seeds.get(name).toArray(String[]::new)).map(Optional::of)),
                    net.jqwik.api.Tuple.of(1, Arbitraries.just(Optional.<String>empty()))));
        }
        return net.jqwik.api.Combinators.combine(texts).as(values -> {
            Map<String, Optional<String>> files = new java.util.HashMap<>();
            for (int i = 0; i < names.size(); i++) files.put(names.get(i), values.get(i));
            return files;
        });
    }

    /** A test resource as text. */
    static String resource(String name) {
        try (InputStream in = CgroupTree.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        Hostile.deleteTree(root);
    }
}
