package io.proclens.mounts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;

/** The mounts of one mount namespace, in the kernel's order (a later mount at the same path covers an earlier one). */
public record MountTable(List<MountEntry> entries) {

    /**
     * Reads a mountinfo file, e.g. /proc/self/mountinfo or /proc/PID/mountinfo. Paths are bytes, which the kernel
     * escapes only for blank, tab, newline and backslash: a byte sequence that is not UTF-8 is replaced (that mount
     * cannot be told by its path) and a '\r' stays in its line, instead of failing or splitting the whole file.
     *
     * @throws IOException if the file cannot be read
     */
    public static MountTable read(Path mountinfo) throws IOException {
        return parse(List.of(new String(Files.readAllBytes(mountinfo), UTF_8).split("\n")));
    }

    public static MountTable parse(List<String> lines) {
        List<MountEntry> entries = new ArrayList<>(lines.size());
        for (String line : lines) MountEntry.parse(line).ifPresent(entries::add);
        return new MountTable(List.copyOf(entries));
    }

    /** The topmost mount at {@code path}, if anything is mounted there. */
    public Optional<MountEntry> at(Path path) {
        String wanted = path.toAbsolutePath().normalize().toString();
        MountEntry found = null;
        for (MountEntry entry : entries) if (entry.mountPoint().equals(wanted)) found = entry;
        return Optional.ofNullable(found);
    }
}
