package io.proclens.view;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * /proc/vmstat as a cgroup sees it: the host's lines in the host's order, each with the cgroup's number where its
 * {@code memory.stat} has one, and 0 where it has none, because the host's would be other tenants' memory and
 * events (a container's rate of page faults must not be the machine's).
 *
 * <ul>
 * <li>The cgroup's, by the same name in memory.stat (v2 names; v1's {@code total_*} renamed by the reader):
 *     {@code pgfault}, {@code pgmajfault}, the {@code workingset_*}, {@code pgscan_*}, {@code pgsteal_*},
 *     {@code pgactivate}, {@code pgdeactivate}, {@code pglazyfree(d)}, {@code zswpin}, {@code zswpout},
 *     {@code zswpwb}, {@code thp_*} and {@code pswpin}/{@code pswpout} where the kernel counts them per cgroup.
 * <li>Amounts in pages, from memory.stat's bytes: {@code nr_anon_pages}, {@code nr_file_pages},
 *     {@code nr_mapped}, {@code nr_shmem}, {@code nr_dirty}, {@code nr_writeback}, the five LRU lists
 *     ({@code nr_inactive_anon}, ...), {@code nr_slab_reclaimable}/{@code _unreclaimable}, {@code nr_page_table_pages},
 *     {@code nr_anon_transparent_hugepages} (2 MiB pages) and {@code nr_kernel_stack} (kB, as the kernel prints it).
 * <li>{@code nr_free_pages}: the cgroup's free memory (limit minus usage); the host's when it has no limit.
 * <li>{@code pgpgin}/{@code pgpgout} (kB read from and written to block devices, vmstat's bi/bo): the cgroup's
 *     block I/O, when it is accounted.
 * <li>The host's: {@code nr_dirty_threshold} and {@code nr_dirty_background_threshold}, the writeback policy every
 *     process lives under.
 * <li>0: every other line.
 * </ul>
 * A host line that is not "name number" is passed through as it is.
 */
public final class VmstatView {
    private static final long PAGE = 4096;
    private static final long HUGE_PAGE = 2L << 20;

    /** vmstat names whose number is memory.stat's field of the same name. */
    private static final Set<String> SAME_NAME = Set.of(
            "pgfault", "pgmajfault", "workingset_refault_anon", "workingset_refault_file",
            "workingset_activate_anon", "workingset_activate_file", "workingset_restore_anon",
            "workingset_restore_file", "workingset_nodereclaim", "pgscan_kswapd", "pgscan_direct",
            "pgscan_khugepaged", "pgsteal_kswapd", "pgsteal_direct", "pgsteal_khugepaged", "pgactivate",
            "pgdeactivate", "pglazyfree", "pglazyfreed", "zswpin", "zswpout", "zswpwb", "thp_fault_alloc",
            "thp_collapse_alloc", "pswpin", "pswpout");

    /** vmstat's page counts and the memory.stat field (bytes) each is. */
    private static final Map<String, String> PAGES = Map.ofEntries(
            Map.entry("nr_anon_pages", "anon"), Map.entry("nr_file_pages", "file"),
            Map.entry("nr_mapped", "file_mapped"), Map.entry("nr_shmem", "shmem"),
            Map.entry("nr_dirty", "file_dirty"), Map.entry("nr_writeback", "file_writeback"),
            Map.entry("nr_inactive_anon", "inactive_anon"), Map.entry("nr_active_anon", "active_anon"),
            Map.entry("nr_inactive_file", "inactive_file"), Map.entry("nr_active_file", "active_file"),
            Map.entry("nr_unevictable", "unevictable"), Map.entry("nr_slab_reclaimable", "slab_reclaimable"),
            Map.entry("nr_slab_unreclaimable", "slab_unreclaimable"), Map.entry("nr_page_table_pages", "pagetables"));

    private static final Set<String> HOST = Set.of("nr_dirty_threshold", "nr_dirty_background_threshold");

    private VmstatView() {
    }

    /**
     * @param counters  the cgroup's memory.stat under v2 names (bytes and counts)
     * @param freeBytes the cgroup's free memory, empty when it has no limit
     * @param ioKb      kB read and written by the cgroup (two elements), or null when its I/O is not accounted
     */
    public static String render(String host, Map<String, Long> counters, OptionalLong freeBytes, long[] ioKb) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(counters, "counters");
        StringBuilder out = new StringBuilder(host.length());
        int start = 0;
        while (start < host.length()) {
            int end = host.indexOf('\n', start);
            int lineEnd = end < 0 ? host.length() : end;
            String line = host.substring(start, lineEnd);
            int space = line.indexOf(' ');
            if (space > 0 && isNumber(line, space + 1)) {
                String name = line.substring(0, space);
                OptionalLong value = valueOf(name, counters, freeBytes, ioKb);
                out.append(value.isPresent() ? name + " " + value.getAsLong() : line);
            } else {
                out.append(line);
            }
            if (end >= 0) out.append('\n');
            start = lineEnd + 1;
        }
        return out.toString();
    }

    /** The number to print for {@code name}, or empty to keep the host's. */
    static OptionalLong valueOf(String name, Map<String, Long> counters, OptionalLong freeBytes, long[] ioKb) {
        if (HOST.contains(name)) return OptionalLong.empty();
        if (SAME_NAME.contains(name)) return OptionalLong.of(counters.getOrDefault(name, 0L));
        String bytes = PAGES.get(name);
        if (bytes != null) return OptionalLong.of(counters.getOrDefault(bytes, 0L) / PAGE);
        return switch (name) {
            case "nr_anon_transparent_hugepages" -> OptionalLong.of(counters.getOrDefault("anon_thp", 0L) / HUGE_PAGE);
            case "nr_kernel_stack" -> OptionalLong.of(counters.getOrDefault("kernel_stack", 0L) / 1024);
            // without a limit the cgroup may use all the host's free memory
            case "nr_free_pages" -> freeBytes.isPresent() ? OptionalLong.of(Math.max(0, freeBytes.getAsLong()) / PAGE)
                    : OptionalLong.empty();
            case "pgpgin" -> OptionalLong.of(ioKb == null ? 0 : ioKb[0]);
            case "pgpgout" -> OptionalLong.of(ioKb == null ? 0 : ioKb[1]);
            default -> OptionalLong.of(0);
        };
    }

    /** Digits (and an optional leading minus, which a few kernel counters can show) from {@code from} to the end. */
    private static boolean isNumber(String line, int from) {
        if (from < line.length() && line.charAt(from) == '-') from++;
        if (from >= line.length()) return false;
        for (int i = from; i < line.length(); i++) {
            if (line.charAt(i) < '0' || line.charAt(i) > '9') return false;
        }
        return true;
    }
}
