package io.proclens.mounts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mounts of one mount namespace, in the kernel's order (a later mount at the same path covers an earlier one). */
public record MountTable(List<MountEntry> entries) {

    /** Reads a mountinfo file, e.g. /proc/self/mountinfo or /proc/PID/mountinfo. */
    public static MountTable read(Path mountinfo) throws IOException {
        return parse(Files.readAllLines(mountinfo));
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
