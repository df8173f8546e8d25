package io.proclens.cgroup;

/**
 * The memory numbers of one cgroup that the meminfo view needs, the same for cgroup v1 and v2.
 * All sizes are in bytes and never negative; the reader clamps what the kernel gives.
 *
 * @param limit        smallest memory limit of the cgroup and its ancestors, {@link #UNLIMITED} if none
 * @param usage        memory charged to the cgroup (v1 {@code memory.usage_in_bytes}, v2 {@code memory.current})
 * @param swapLimit    smallest swap-only limit of the cgroup and its ancestors (v1: memsw limit minus
 *                     memory limit; v2 {@code memory.swap.max}), {@link #UNLIMITED} if none,
 *                     {@link #NO_SWAP_ACCOUNTING} when the kernel does not account swap for cgroups
 * @param swapUsage    swap used by the cgroup (v1: memsw usage minus usage; v2 {@code memory.swap.current})
 * @param cache        page cache (v1 {@code total_cache}, v2 {@code file})
 * @param activeAnon   v1 {@code total_active_anon}, v2 {@code active_anon}
 * @param inactiveAnon v1 {@code total_inactive_anon}, v2 {@code inactive_anon}
 * @param activeFile   v1 {@code total_active_file}, v2 {@code active_file}
 * @param inactiveFile v1 {@code total_inactive_file}, v2 {@code inactive_file}
 * @param unevictable  v1 {@code total_unevictable}, v2 {@code unevictable}
 * @param shmem        v1 {@code total_shmem}, v2 {@code shmem}
 * @param mapped       v1 {@code total_mapped_file}, v2 {@code file_mapped}
 * @param anonHuge     v1 {@code total_rss_huge}, v2 {@code anon_thp}
 * @param slabReclaimable   v2 {@code slab_reclaimable}; 0 on v1 (not accounted there)
 * @param slabUnreclaimable v2 {@code slab_unreclaimable}; 0 on v1
 * @param dirty        page cache waiting to be written back (v1 {@code total_dirty}, v2 {@code file_dirty})
 * @param writeback    page cache being written back now (v1 {@code total_writeback}, v2 {@code file_writeback})
 * @param swappiness   v1 {@code memory.swappiness} (0: the cgroup never swaps), {@link #UNKNOWN} on v2 (none there)
 * @param zswap        compressed size of what the cgroup holds in zswap (v2 {@code zswap}), {@link #UNKNOWN} where
 *                     the kernel does not account it per cgroup (v1, or a kernel without zswap)
 * @param zswapped     uncompressed size of the same pages (v2 {@code zswapped}), {@link #UNKNOWN} likewise
 */
public record MemoryStats(
        long limit,
        long usage,
        long swapLimit,
        long swapUsage,
        long cache,
        long activeAnon,
        long inactiveAnon,
        long activeFile,
        long inactiveFile,
        long unevictable,
        long shmem,
        long mapped,
        long anonHuge,
        long slabReclaimable,
        long slabUnreclaimable,
        long dirty,
        long writeback,
        long swappiness,
        long zswap,
        long zswapped) {

    /** No limit set anywhere up the tree. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** The kernel does not account swap per cgroup (v1 without {@code memory.memsw.*}, v2 without {@code memory.swap.*}). */
    public static final long NO_SWAP_ACCOUNTING = -1;
    /** The kernel has no such number for this cgroup. */
    public static final long UNKNOWN = -1;

    /** Without swappiness and zswap numbers (v1 before {@code memory.swappiness} is read, or a test's stats). */
    public MemoryStats(long limit, long usage, long swapLimit, long swapUsage, long cache, long activeAnon,
                       long inactiveAnon, long activeFile, long inactiveFile, long unevictable, long shmem,
                       long mapped, long anonHuge, long slabReclaimable, long slabUnreclaimable, long dirty,
                       long writeback) {
        this(limit, usage, swapLimit, swapUsage, cache, activeAnon, inactiveAnon, activeFile, inactiveFile,
                unevictable, shmem, mapped, anonHuge, slabReclaimable, slabUnreclaimable, dirty, writeback,
                UNKNOWN, UNKNOWN, UNKNOWN);
    }

    /** The cgroup never swaps: its swap limit is 0, or (v1) its swappiness is. */
    public boolean neverSwaps() {
        return swapLimit == 0 || swappiness == 0;
    }
}
