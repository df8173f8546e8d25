package io.proclens.mounts;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * One line of a mountinfo file (proc(5)), as far as we use it.
 *
 * @param minor for a FUSE mount the kernel's id of its connection: a bind mount of a FUSE file keeps the minor of
 *              the connection it came from, which is how a bind from a dead daemon is told from a live one
 * @param root  the path inside the filesystem that is mounted: "/" for the whole tree, "/proc/meminfo" for a
 *              bind of one file
 * @param options      the per-mount options ("ro", "nosuid", "relatime")
 * @param superOptions the filesystem's options (a cgroup v1 mount's controllers are among them); empty if none
 */
public record MountEntry(long major, long minor, String root, String mountPoint, List<String> options, String fsType,
                         String source, List<String> superOptions) {

    /** The FUSE types whose files containers bind over /proc: ours, and LXCFS's that we may replace. */
    public boolean isProcFuse() {
        return fsType.equals("fuse.proclens") || fsType.equals("fuse.lxcfs");
    }

    /** Parses one mountinfo line; empty when it is not one (malformed lines are skipped, never fatal). */
    public static Optional<MountEntry> parse(String line) {
        String[] fields = line.split(" ");
        int dash = -1;
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                dash = i;
                break;
            }
        }
        if (dash < 0 || dash + 2 >= fields.length) return Optional.empty();
        String device = fields[2];
        int colon = device.indexOf(':');
        long major = deviceNumber(device.substring(0, Math.max(colon, 0)));
        long minor = colon < 0 ? -1 : deviceNumber(device.substring(colon + 1));
        String root = unescape(fields[3]);
        String mountPoint = unescape(fields[4]);
        // the kernel prints the mount point absolute and no path with a NUL; an empty or relative one (a doubled
        // blank) or a NUL ("\000") is no mount line. The root is a path too, but a pseudo filesystem's may not be
        // one: an nsfs mount (ip netns, docker's exec) has "net:[4026532178]".
        if (major < 0 || minor < 0 || root.isEmpty() || !mountPoint.startsWith("/")
                || root.indexOf('\0') >= 0 || mountPoint.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        List<String> superOptions = dash + 3 < fields.length ? List.of(unescape(fields[dash + 3]).split(",")) : List.of();
        return Optional.of(new MountEntry(major, minor, root, mountPoint, List.of(unescape(fields[5]).split(",")),
                fields[dash + 1], unescape(fields[dash + 2]), superOptions));
    }

    /** Decimal digits as the kernel prints a device number (no sign, at most 32 bits), else -1. */
    private static long deviceNumber(String digits) {
        if (digits.isEmpty() || digits.length() > 10) return -1;
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') return -1;
        }
        long value = Long.parseLong(digits);
        return value <= 0xffffffffL ? value : -1;
    }

    /**
     * Undoes the kernel's mangling of mountinfo fields: a backslash and three octal digits stand for that byte
     * (the kernel writes space, tab, newline and backslash so). Works on bytes, so escaped bytes of a multi-byte
     * UTF-8 char come back together; anything else is kept as it is.
     */
    public static String unescape(String field) {
        if (field.indexOf('\\') < 0) return field;
        byte[] in = field.getBytes(UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\\' && i + 3 < in.length && in[i + 1] >= '0' && in[i + 1] <= '3'
                    && isOctal(in[i + 2]) && isOctal(in[i + 3])) {
                out.write(((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) | (in[i + 3] - '0'));
                i += 3;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(UTF_8);
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }
}
