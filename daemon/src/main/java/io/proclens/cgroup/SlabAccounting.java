package io.proclens.cgroup;

import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import java.util.Optional;

/**
 * Reads a cgroup's own slab caches, the v1 file {@code memory.kmem.slabinfo} of its memory cgroup. Stateless and
 * thread-safe; nothing is cached.
 *
 * <p>What kernels give there: before 5.9, the caches charged to the cgroup in /proc/slabinfo's format (some of
 * those kernels answer {@code EIO} instead while kernel memory accounting is not active for the cgroup); since 5.9,
 * when slab accounting moved from per-cgroup caches to objects, an empty file kept so that old tools can still open
 * it (this machine's 6.18 kernel, for one); no file at all without {@code CONFIG_SLUB_DEBUG}/{@code CONFIG_SLAB}.
 * cgroup v2 has no such file.
 */
public final class SlabAccounting {
    static final String FILE = "memory.kmem.slabinfo";

    private final LeafFiles files;

    /** Reads the files of the {@link Cgroup}s it is given. */
    public SlabAccounting() {
        this(CgroupFiles::readOrNull);
    }

    SlabAccounting(MemoryAndCpuReader.FileSource files) {
        this.files = new LeafFiles(files);
    }

    /**
     * The text of the cgroup's {@code memory.kmem.slabinfo}, as the kernel gives it (possibly empty: the view
     * checks its header).
     *
     * @return empty when there is nothing to read: no memory controller, a v2 memory cgroup, the file is absent, or
     *         it cannot be read (the kernel answers {@code EIO} when kmem accounting is off; any I/O error counts so,
     *         since the caller's answer is the same: the host's file)
     * @throws CgroupException GONE if the cgroup directory does not exist (removed, even while being read)
     */
    public Optional<String> slabinfo(Cgroup cgroup) {
        Optional<Location> found = cgroup.memory();
        if (found.isEmpty() || found.get().version() != Version.V1) return Optional.empty();
        Location at = found.get();
        try {
            return Optional.ofNullable(files.readOrNull(at, FILE));
        } catch (CgroupException e) {
            if (e.kind() == CgroupException.Kind.IO_ERROR) return Optional.empty();
            throw e;
        }
    }
}
