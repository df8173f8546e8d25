package io.proclens.cgroup;

import io.proclens.cgroup.Cgroup.Location;
import java.nio.file.Files;

/**
 * Reads files of one cgroup's own directory with the error rules of {@link MemoryAndCpuReader}: a file that is absent
 * is {@code null} while the directory exists, and the cgroup is {@code GONE} when the directory does not exist
 * (also when an I/O error happens because the cgroup was removed while being read). Stateless apart from the
 * file source; safe to use from any thread.
 */
final class LeafFiles {
    private final MemoryAndCpuReader.FileSource files;

    LeafFiles(MemoryAndCpuReader.FileSource files) {
        this.files = files;
    }

    /** The file {@code name} of the cgroup's directory, or null if absent. */
    String readOrNull(Location at, String name) {
        String text = read(at, at.dir().resolve(name));
        if (text == null) requireDir(at);
        return text;
    }

    /** A file of the cgroup or of an ancestor, or null if absent; an I/O error once the cgroup is gone is GONE. */
    String read(Location at, java.nio.file.Path file) {
        try {
            return files.readOrNull(file);
        } catch (CgroupException e) {
            // An error on a file of a removed cgroup (ENODEV, ENOENT on open of a dying kernfs node) is GONE.
            if (!Files.isDirectory(at.dir())) throw gone(at, e);
            throw e;
        }
    }

    static void requireDir(Location at) {
        if (!Files.isDirectory(at.dir())) throw gone(at, null);
    }

    static CgroupException gone(Location at, Throwable cause) {
        return gone(at.dir(), cause);
    }

    /** The one way every reader of the package says a cgroup directory is gone. */
    static CgroupException gone(java.nio.file.Path dir, Throwable cause) {
        return new CgroupException(CgroupException.Kind.GONE, "cgroup " + dir + " does not exist", cause);
    }
}
