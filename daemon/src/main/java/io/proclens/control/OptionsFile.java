package io.proclens.control;

import io.proclens.mounts.RunFiles;
import io.proclens.render.Options;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The options as last changed at run time ({@code proclens options}), kept beside the control socket so that the
 * next worker of the same mount (after a crash or an upgrade) serves with them rather than with the command line's.
 * The holder removes the file when the mount starts and ends: a new mount starts from its command line.
 */
public record OptionsFile(Path path) {
    /** The file of the daemon serving {@code mountpoint}, beside its control socket. */
    public static OptionsFile of(Path mountpoint) {
        return new OptionsFile(RunFiles.options(mountpoint));
    }

    /** Replaces the file in one rename, so that a worker dying mid-write leaves the old options or the new. */
    public void save(Options options) throws IOException {
        Files.createDirectories(path.getParent());
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(temp, options + "\n", StandardCharsets.UTF_8);
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The saved options over {@code base}, or empty when none were saved.
     *
     * @throws IOException when the file cannot be read or does not say options (then the caller keeps its own)
     */
    public Optional<Options> load(Options base) throws IOException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(OptionChanges.apply(base, text));
        } catch (IllegalArgumentException e) {
            throw new IOException(path + " does not hold options: " + e.getMessage(), e);
        }
    }

    public void delete() throws IOException {
        Files.deleteIfExists(path);
    }
}
