package io.proclens.fuse;

import io.proclens.bindings.LibFuse;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Creates the libfuse session through the entry point the installed libfuse exports.
 *
 * <p>Our bindings come from libfuse 3.14's header, where {@code fuse_session_new} is a plain function.
 * From 3.17 on the header turns it into an inline wrapper around {@code fuse_session_new_versioned},
 * which also receives the libfuse version the caller was built against, so that the library can keep
 * old callers' ABI (the ops struct's size, conn->want flags). The old symbol still exists there as a
 * compatibility alias, but it passes an "unknown" version (and 3.17 also moved to the soname libfuse3.so.4,
 * see {@link LibfuseLoader}). So on 3.17+ we call the versioned entry
 * point ourselves and say "built against 3.14"; this one downcall is hand-written because the 3.14
 * header we generate from does not declare it.
 */
final class SessionFactory {
    /** The libfuse our bindings and ops struct were generated from. */
    static final int BUILT_AGAINST_MAJOR = 3;
    static final int BUILT_AGAINST_MINOR = 14;
    static final int FIRST_VERSIONED = 317; // FUSE_MAKE_VERSION(3, 17)

    /** struct libfuse_version { uint32_t major, minor, hotfix, padding; } (fuse_common.h, 3.17+). */
    private static final StructLayout LIBFUSE_VERSION = MemoryLayout.structLayout(
            JAVA_INT.withName("major"), JAVA_INT.withName("minor"),
            JAVA_INT.withName("hotfix"), JAVA_INT.withName("padding"));

    private SessionFactory() {
    }

    /** fuse_version(): major * 100 + minor of the loaded library. */
    static int libraryVersion() {
        if (LibfuseLoader.load().isEmpty()) throw new IllegalStateException("libfuse3 is not installed");
        return LibFuse.fuse_version();
    }

    /** Whether {@code version} (as fuse_version() gives it) needs the versioned entry point. */
    static boolean needsVersionedEntry(int version) {
        return version >= FIRST_VERSIONED;
    }

    static MemorySegment newSession(MemorySegment args, MemorySegment ops, long opsSize, Arena arena) {
        if (needsVersionedEntry(libraryVersion())) {
            Optional<MemorySegment> versioned = SymbolLookup.loaderLookup().find("fuse_session_new_versioned");
            if (versioned.isPresent()) {
                return newVersionedSession(versioned.get(), args, ops, opsSize, arena);
            }
        }
        return LibFuse.fuse_session_new(args, ops, opsSize, MemorySegment.NULL);
    }

    private static MemorySegment newVersionedSession(MemorySegment entry, MemorySegment args, MemorySegment ops,
                                                     long opsSize, Arena arena) {
        MethodHandle call = Linker.nativeLinker().downcallHandle(entry,
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
        MemorySegment version = arena.allocate(LIBFUSE_VERSION);
        version.set(JAVA_INT, 0, BUILT_AGAINST_MAJOR);
        version.set(JAVA_INT, 4, BUILT_AGAINST_MINOR);
        try {
            return (MemorySegment) call.invokeExact(args, ops, opsSize, version, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_session_new_versioned failed", t);
        }
    }
}
