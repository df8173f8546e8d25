package io.proclens.cgroup;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.proclens.cgroup.Cgroup.Location;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a cgroup's pressure stall information (PSI): {@code cpu.pressure}, {@code io.pressure} and
 * {@code memory.pressure} of its unified (v2) cgroup, the source of a container's {@code /proc/pressure/*}.
 * The files are there on v2 and on a hybrid layout's unified hierarchy when the kernel has PSI (4.20 and later,
 * not booted with {@code psi=0}); the text is returned as the kernel wrote it, for
 * {@code io.proclens.view.PressureView} to validate.
 *
 * <p>Absent ({@link Optional#empty()}): the cgroup has no unified location (a pure v1 layout), the file does not
 * exist (kernel without PSI, {@code psi=0}, or {@code cgroup.pressure} set to 0 on 6.1 and later, which hides the
 * files), or reading it fails with EOPNOTSUPP (how kernels before 6.1 answer when PSI is disabled at boot).
 *
 * <p>Threading: stateless and safe for any number of threads.
 *
 * <p>Errors: the cgroup directory does not exist: {@link CgroupException} GONE; any other I/O error: IO_ERROR.
 */
public final class Pressure {
    /** The message the JDK puts in an {@link IOException} for EOPNOTSUPP (glibc's strerror text). */
    static final String EOPNOTSUPP_MESSAGE = "Operation not supported";

    /** Reads a whole file; a seam for tests that need an error the real file system cannot produce on demand. */
    @FunctionalInterface
    interface FileReader {
        byte[] read(Path file) throws IOException;
    }

    private final FileReader files;

    /** Reads the real files of the {@link Cgroup}s it is given. */
    public Pressure() {
        this(Files::readAllBytes);
    }

    Pressure(FileReader files) {
        this.files = files;
    }

    /**
     * The pressure file of {@code resource} of the cgroup, as the kernel wrote it.
     *
     * @param resource "cpu", "io" or "memory"
     * @throws IllegalArgumentException for any other resource
     * @throws CgroupException          GONE if the cgroup directory does not exist, IO_ERROR on other I/O errors
     */
    public Optional<String> read(Cgroup cgroup, String resource) {
        String name = fileName(resource);
        Optional<Location> unified = cgroup.unified();
        if (unified.isEmpty()) return Optional.empty();
        Path dir = unified.get().dir();
        Path file = dir.resolve(name);
        try {
            return Optional.of(new String(files.read(file), ISO_8859_1));
        } catch (NoSuchFileException e) {
            if (!Files.isDirectory(dir)) throw gone(dir, e);
            return Optional.empty();
        } catch (IOException e) {
            if (isNotSupported(e)) return Optional.empty();
            if (!Files.isDirectory(dir)) throw gone(dir, e);
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot read " + file + ": " + e, e);
        }
    }

    /**
     * Whether the kernel has PSI enabled: {@code procRoot/pressure/cpu} exists and reads (it does not exist on
     * kernels without PSI or booted with {@code psi=0}).
     */
    public static boolean kernelHasPsi(Path procRoot) {
        try {
            return Files.readAllBytes(procRoot.resolve("pressure/cpu")).length > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** "cpu.pressure", "io.pressure" or "memory.pressure". */
    static String fileName(String resource) {
        return switch (resource) {
            case "cpu", "io", "memory" -> resource + ".pressure";
            case null -> throw new IllegalArgumentException("no pressure resource given");
            default -> throw new IllegalArgumentException("no pressure file for '" + resource
                    + "': resources are cpu, io and memory");
        };
    }

    /** EOPNOTSUPP, which the JDK only tells apart by its message (a FileSystemException's reason). */
    private static boolean isNotSupported(IOException e) {
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        return reason != null && reason.contains(EOPNOTSUPP_MESSAGE);
    }

    private static CgroupException gone(Path dir, Throwable cause) {
        return LeafFiles.gone(dir, cause);
    }
}
