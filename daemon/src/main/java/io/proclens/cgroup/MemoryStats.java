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
        long writeback) {

    /** No limit set anywhere up the tree. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** The kernel does not account swap per cgroup (v1 without {@code memory.memsw.*}, v2 without {@code memory.swap.*}). */
    public static final long NO_SWAP_ACCOUNTING = -1;
}
