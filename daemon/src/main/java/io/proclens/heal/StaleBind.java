package io.proclens.heal;

import io.proclens.mounts.MountEntry;
import io.proclens.sys.MountCalls;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A path in one mount namespace whose topmost mount is a bind from a dead proclens or LXCFS mount.
 *
 * @param mount   the topmost of those mounts (its root is the file's path in the dead tree: "/proc/meminfo")
 * @param stacked how many dead mounts lie on top of each other there, all to be detached
 */
public record StaleBind(MountEntry mount, int stacked) {

    /** The path of the same file below the live mount. */
    public Path source(Path liveMount) {
        return liveMount.resolve(mount.root().substring(1));
    }

    /** The per-mount flags mountinfo shows that the new bind must have or not have as the old one did. */
    public static final long FLAGS = MountCalls.MOUNT_ATTR_RDONLY | MountCalls.MOUNT_ATTR_NOSUID
            | MountCalls.MOUNT_ATTR_NODEV | MountCalls.MOUNT_ATTR_NOEXEC;

    /** The old bind's per-mount flags among {@link #FLAGS}: a read-only bind stays read-only. */
    public long attributes() {
        List<String> options = mount.options();
        long set = 0;
        if (options.contains("ro")) set |= MountCalls.MOUNT_ATTR_RDONLY;
        if (options.contains("nosuid")) set |= MountCalls.MOUNT_ATTR_NOSUID;
        if (options.contains("nodev")) set |= MountCalls.MOUNT_ATTR_NODEV;
        if (options.contains("noexec")) set |= MountCalls.MOUNT_ATTR_NOEXEC;
        return set;
    }

    /**
     * The stale binds of one mountinfo file: at each mount point, the dead proclens or LXCFS mounts on top of the
     * stack. A mount point whose topmost mount is live, or is anything else, is left alone.
     */
    public static List<StaleBind> find(List<String> mountinfo, Set<Long> live) {
        Map<String, List<MountEntry>> byPoint = new LinkedHashMap<>();
        for (String text : mountinfo) {
            MountEntry.parse(text).ifPresent(entry ->
                    byPoint.computeIfAbsent(entry.mountPoint(), k -> new ArrayList<>()).add(entry));
        }
        List<StaleBind> stale = new ArrayList<>();
        for (List<MountEntry> stack : byPoint.values()) {
            int dead = 0;
            for (int i = stack.size() - 1; i >= 0 && isDead(stack.get(i), live); i--) dead++;
            if (dead == 0) continue;
            stale.add(new StaleBind(stack.getLast(), dead));
        }
        return stale;
    }

    /** A root no path can name (text that is not a file name's bytes, as only a fuzzer makes it) is never healed. */
    private static boolean isDead(MountEntry entry, Set<Long> live) {
        return entry.isProcFuse() && entry.root().startsWith("/") && !live.contains(entry.minor())
                && java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(entry.root());
    }
}
