package io.proclens.fuse;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Loads libfuse3 for the generated bindings, which look their symbols up among the libraries loaded by our
 * class loader.
 *
 * <p>libfuse 3.17 changed the library's soname from libfuse3.so.3 to libfuse3.so.4 (Debian 12 has the first,
 * newer distributions the second), so the bindings cannot name one file. We let the dynamic linker find
 * either by soname, with its usual search (LD_LIBRARY_PATH, ld.so.cache), read the path it chose from
 * /proc/self/maps, and load that file for our class loader.
 */
public final class LibfuseLoader {
    static final List<String> SONAMES = List.of("libfuse3.so.3", "libfuse3.so.4");
    static final String MAPPED_PREFIX = "libfuse3.so.";

    private static volatile Path loaded; // written once under the class lock, read without it

    private LibfuseLoader() {
    }

    /** Loads libfuse3 once; returns its file, or empty when no libfuse3 is installed. */
    public static synchronized Optional<Path> load() {
        if (loaded != null) return Optional.of(loaded);
        for (String soname : SONAMES) {
            try {
                SymbolLookup.libraryLookup(soname, Arena.global()); // dlopen: the linker's search, by soname
            } catch (IllegalArgumentException notThere) {
                continue;
            }
            Optional<Path> file = mappedFile();
            if (file.isPresent()) {
                System.load(file.get().toString());
                loaded = file.get();
                return file;
            }
        }
        return Optional.empty();
    }

    /**
     * The file of the libfuse3 mapped into this process. Its name is the real file's, not the soname's
     * (libfuse3.so.3 is libfuse3.so.3.14.0; libfuse3.so.4 is libfuse3.so.3.18.2), so any libfuse3.so.* counts.
     */
    static Optional<Path> mappedFile() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash < 0) continue;
                Path file = Path.of(line.substring(slash));
                if (file.getFileName().toString().startsWith(MAPPED_PREFIX)) return Optional.of(file);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
