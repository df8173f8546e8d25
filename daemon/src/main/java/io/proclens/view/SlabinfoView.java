package io.proclens.view;

import java.util.Objects;
import java.util.Optional;

/**
 * /proc/slabinfo as a cgroup sees it: the cgroup's own slab caches where the kernel lists them (cgroup v1
 * {@code memory.kmem.slabinfo} before Linux 5.9), else the host's file.
 *
 * <p>LXCFS 5.0.3 ({@code proc_slabinfo_read} in src/proc_fuse.c) copies the cgroup's {@code memory.kmem.slabinfo}
 * when the memory hierarchy has that file and it has content, and the host's /proc/slabinfo when the file is absent
 * (always on cgroup v2), empty (every v1 kernel since 5.9) or unreadable (EIO while kmem accounting is off). It does
 * not look at what it copies. We also check that the cgroup's text starts with the header of the only format
 * slabinfo readers such as {@code slabtop} know, "slabinfo - version: 2.1", and show the host's file otherwise,
 * since a partial or foreign text is worse than the host's numbers.
 *
 * <p>No numbers are changed, so the steps are small: {@link #parse} tells whether a text is a slabinfo, {@link
 * #render} chooses.
 */
public final class SlabinfoView {

    /** The first line of /proc/slabinfo since Linux 2.6.10, and of memory.kmem.slabinfo. */
    static final String HEADER = "slabinfo - version: 2.1";

    private SlabinfoView() {
    }

    /**
     * Renders /proc/slabinfo for a cgroup.
     *
     * @param hostSlabinfo   the host's /proc/slabinfo, shown as it is when the cgroup's text is not usable
     * @param cgroupSlabinfo the cgroup's {@code memory.kmem.slabinfo} (from {@code SlabAccounting}), empty when there
     *                       is none
     */
    public static String render(String hostSlabinfo, Optional<String> cgroupSlabinfo) {
        Objects.requireNonNull(hostSlabinfo, "hostSlabinfo");
        Objects.requireNonNull(cgroupSlabinfo, "cgroupSlabinfo");
        return cgroupSlabinfo.filter(SlabinfoView::parse).orElse(hostSlabinfo);
    }

    /** Whether the text is a slabinfo: its first line is {@link #HEADER} (trailing blanks ignored). */
    static boolean parse(String text) {
        int newline = text.indexOf('\n');
        String first = newline < 0 ? text : text.substring(0, newline);
        return first.stripTrailing().equals(HEADER);
    }
}
