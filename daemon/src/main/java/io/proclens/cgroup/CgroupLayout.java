package io.proclens.cgroup;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.proclens.cgroup.Cgroup.Controller;
import io.proclens.cgroup.Cgroup.Location;
import io.proclens.cgroup.Cgroup.Version;
import io.proclens.mounts.MountEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroup hierarchies mounted on this machine, from {@code /proc/self/mountinfo}, and the mapping of a
 * process's {@code /proc/PID/cgroup} text to its {@link Cgroup}. Immutable and thread-safe once built.
 *
 * <p>Rules:
 * <ul>
 * <li>A v1 hierarchy ({@code cgroup} file system) carries the kernel controllers named in its super options
 *     ("rw,cpu,cpuacct"); flags such as {@code xattr}, {@code seclabel} and {@code name=systemd} are not
 *     controllers (a named hierarchy keeps "name=X" in {@link Hierarchy#controllers()}).</li>
 * <li>A v2 hierarchy ({@code cgroup2}) carries the controllers listed in {@code cgroup.controllers} at its mount
 *     point, read once by {@link #parse}; a missing file means none. {@code cpuacct} is taken from v2 whenever v2 is
 *     mounted and no v1 hierarchy has it ({@code cpu.stat} is always there).</li>
 * <li>A controller is v1 if a mounted v1 hierarchy has it, else v2 if the v2 hierarchy lists it, else absent.</li>
 * <li>If a hierarchy is mounted more than once, a mount of its root ("/") wins over a bind mount of a subtree,
 *     and otherwise the first line wins. Mounts hidden by a later mount on top are not detected.</li>
 * <li>A hierarchy mounted with a non-"/" root (a bind mount, as inside a container) only reaches cgroups below
 *     that root: a {@code /proc/PID/cgroup} path outside it (or with "..", as printed across cgroup namespaces)
 *     leaves that controller absent from the {@link Cgroup}.</li>
 * </ul>
 */
public final class CgroupLayout {

    /** Which cgroup versions carry controllers. */
    public enum Mode {
        /** Only v1 hierarchies carry controllers; no cgroup2 mount. */
        V1,
        /** v1 hierarchies carry controllers and a cgroup2 hierarchy is mounted too (often at /sys/fs/cgroup/unified). */
        HYBRID,
        /** Only the cgroup2 hierarchy carries controllers (v1 mounts, if any, are named ones like name=systemd). */
        V2
    }

    /**
     * One mounted hierarchy.
     *
     * @param version     v1 or v2
     * @param mountPoint  where it is mounted, resolved under the layout's file system root
     * @param root        the hierarchy path mounted there ("/" unless a subtree is bind mounted), unescaped
     * @param controllers v1: the controllers from the super options, plus "name=X" for a named hierarchy;
     *                    v2: the content of {@code cgroup.controllers} at the mount point
     */
    public record Hierarchy(Version version, Path mountPoint, String root, Set<String> controllers) {
        public Hierarchy {
            controllers = Collections.unmodifiableSet(new LinkedHashSet<>(controllers));
        }
    }

    /**
     * The kernel's v1 controllers. Super options of a v1 mount also hold flags (xattr, noprefix, seclabel on
     * SELinux hosts, release_agent=...), so only these names, and "name=X", are taken from them.
     */
    private static final Set<String> V1_CONTROLLERS = Set.of("cpuset", "cpu", "cpuacct", "blkio", "memory",
            "devices", "freezer", "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", "debug");

    private final Mode mode;
    private final List<Hierarchy> hierarchies;
    private final Map<Controller, Hierarchy> byController;
    /** The cgroup2 hierarchy, or null if none is mounted. */
    private final Hierarchy v2;

    private CgroupLayout(Mode mode, List<Hierarchy> hierarchies, Map<Controller, Hierarchy> byController, Hierarchy v2) {
        this.mode = mode;
        this.hierarchies = hierarchies;
        this.byController = byController;
        this.v2 = v2;
    }

    /**
     * The layout of this machine, from {@code /proc/self/mountinfo}, with mount points as they are ("/" root).
     *
     * @throws CgroupException IO_ERROR if mountinfo cannot be read, NO_CONTROLLER if no cgroup hierarchy carries a
     *                         controller, MALFORMED if mountinfo is not what the kernel writes
     */
    public static CgroupLayout discover() {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        String text;
        try {
            text = new String(Files.readAllBytes(mountinfo), UTF_8);
        } catch (IOException e) {
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "cannot read " + mountinfo + ": " + e, e);
        }
        return parse(text, Path.of("/"));
    }

    /**
     * The layout described by a mountinfo text. Mount points are resolved under {@code root} ("/" in production,
     * a fixture directory in tests), and so is the {@code cgroup.controllers} file read for a cgroup2 mount.
     *
     * @throws CgroupException NO_CONTROLLER if no cgroup hierarchy carries a controller (none mounted, or only
     *                         named v1 ones), MALFORMED on a line that is not "id parent major:minor root mountpoint
     *                         options [optional...] - fstype source superoptions"
     */
    public static CgroupLayout parse(String mountinfo, Path root) {
        List<Hierarchy> hierarchies = new ArrayList<>();
        Map<Controller, Hierarchy> v1 = new EnumMap<>(Controller.class);
        boolean v1HasControllers = false;
        Hierarchy v2 = null;
        for (String line : mountinfo.split("\n")) {
            if (line.isBlank()) continue;
            MountEntry mount = MountEntry.parse(line).orElseThrow(() ->
                    new CgroupException(CgroupException.Kind.MALFORMED, "bad mountinfo line: " + CgroupFiles.quoted(line)));
            String fsType = mount.fsType();
            if (!fsType.equals("cgroup") && !fsType.equals("cgroup2")) continue;
            String hierarchyRoot = mount.root();
            Path mountPoint;
            try {
                mountPoint = resolve(root, mount.mountPoint());
            } catch (InvalidPathException e) {
                throw badPath("mountinfo line", line, e);
            }
            if (fsType.equals("cgroup")) {
                Set<String> controllers = new LinkedHashSet<>();
                for (String option : mount.superOptions()) {
                    if (V1_CONTROLLERS.contains(option) || option.startsWith("name=")) controllers.add(option);
                }
                Hierarchy h = new Hierarchy(Version.V1, mountPoint, hierarchyRoot, controllers);
                hierarchies.add(h);
                for (String c : controllers) {
                    if (!c.startsWith("name=")) v1HasControllers = true;
                    Controller known = Controller.byKernelName(c);
                    if (known != null && better(h, v1.get(known))) v1.put(known, h);
                }
            } else {
                String listed = CgroupFiles.readOrNull(mountPoint.resolve("cgroup.controllers"));
                Set<String> controllers = new LinkedHashSet<>();
                if (listed != null) {
                    for (String c : listed.strip().split("\\s+")) {
                        if (!c.isEmpty()) controllers.add(c);
                    }
                }
                Hierarchy h = new Hierarchy(Version.V2, mountPoint, hierarchyRoot, controllers);
                hierarchies.add(h);
                if (better(h, v2)) v2 = h;
            }
        }
        if (!v1HasControllers && v2 == null) {
            throw new CgroupException(CgroupException.Kind.NO_CONTROLLER, "no cgroup hierarchy is mounted");
        }
        Mode mode = v2 == null ? Mode.V1 : v1HasControllers ? Mode.HYBRID : Mode.V2;
        Map<Controller, Hierarchy> byController = new EnumMap<>(Controller.class);
        for (Controller c : Controller.values()) {
            Hierarchy h = v1.get(c);
            if (h == null && v2 != null && c.servedByV2(v2.controllers())) {
                h = v2;
            }
            if (h != null) byController.put(c, h);
        }
        return new CgroupLayout(mode, List.copyOf(hierarchies), Collections.unmodifiableMap(byController), v2);
    }

    public Mode mode() {
        return mode;
    }

    /** Every cgroup mount in mountinfo order, including named and duplicate ones. */
    public List<Hierarchy> hierarchies() {
        return hierarchies;
    }

    /** The hierarchy the controller is read from, if any. */
    public Optional<Hierarchy> hierarchyOf(Controller controller) {
        return Optional.ofNullable(byController.get(controller));
    }

    /**
     * The cgroups of a process, from the text of its {@code /proc/PID/cgroup}: lines "hierarchy-ID:controller-list:path",
     * "0::path" for v2. A v2 path suffixed " (deleted)" (a removed cgroup) is taken without the suffix. Controllers
     * whose path cannot be reached through our mounts are absent (see the class comment); an empty text gives a
     * {@link Cgroup} with no controller.
     *
     * @throws CgroupException MALFORMED on a non-empty line that does not have that shape, or whose path is not one
     */
    public Cgroup cgroupOf(String procPidCgroupText) {
        Map<Controller, Location> locations = new EnumMap<>(Controller.class);
        String v2Path = null;
        for (String line : procPidCgroupText.split("\n")) {
            if (line.isEmpty()) continue;
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0 || first == 0 || !line.substring(0, first).chars().allMatch(ch -> ch >= '0' && ch <= '9')
                    || second == line.length() - 1 || line.charAt(second + 1) != '/') {
                throw new CgroupException(CgroupException.Kind.MALFORMED, "bad /proc/PID/cgroup line: " + CgroupFiles.quoted(line));
            }
            String id = line.substring(0, first);
            String controllers = line.substring(first + 1, second);
            String path = line.substring(second + 1);
            if (id.equals("0") && controllers.isEmpty()) {
                if (path.endsWith(" (deleted)")) path = path.substring(0, path.length() - " (deleted)".length());
                if (v2Path == null) v2Path = path;
                continue;
            }
            for (String name : controllers.split(",")) {
                Controller c = Controller.byKernelName(name);
                if (c == null || locations.containsKey(c)) continue;
                Hierarchy h = byController.get(c);
                if (h == null || h.version() != Version.V1) continue;
                Location location = locate(h, path);
                if (location != null) locations.put(c, location);
            }
        }
        if (v2Path != null && v2 != null) {
            for (Map.Entry<Controller, Hierarchy> e : byController.entrySet()) {
                if (e.getValue() != v2 || locations.containsKey(e.getKey())) continue;
                Location location = locate(v2, v2Path);
                if (location != null) locations.put(e.getKey(), location);
            }
        }
        return Cgroup.of(locations);
    }

    /** The directory of {@code path} (as in /proc/PID/cgroup) under the hierarchy's mount, or null if unreachable. */
    private static Location locate(Hierarchy h, String path) {
        for (String segment : path.split("/")) {
            if (segment.equals("..")) return null;
        }
        String relative;
        if (h.root().equals("/")) {
            relative = path.substring(1);
        } else if (path.equals(h.root())) {
            relative = "";
        } else if (path.startsWith(h.root() + "/")) {
            relative = path.substring(h.root().length() + 1);
        } else {
            return null;
        }
        while (relative.startsWith("/")) relative = relative.substring(1);
        Path dir;
        try {
            dir = relative.isEmpty() ? h.mountPoint() : h.mountPoint().resolve(relative);
        } catch (InvalidPathException e) {
            throw badPath("/proc/PID/cgroup path", path, e);
        }
        return new Location(h.version(), dir, h.mountPoint());
    }

    /**
     * Kernel text the JDK cannot make a path of: a NUL byte (an escaped "\\000" in mountinfo), or, where the JVM runs
     * in the C locale, any char outside ASCII.
     */
    private static CgroupException badPath(String what, String text, InvalidPathException e) {
        return new CgroupException(CgroupException.Kind.MALFORMED,
                "bad path in " + what + " (" + e.getReason() + "): " + CgroupFiles.quoted(text));
    }

    /** Whether {@code candidate} should replace {@code current} as the mount of a hierarchy. */
    private static boolean better(Hierarchy candidate, Hierarchy current) {
        return current == null || (!current.root().equals("/") && candidate.root().equals("/"));
    }

    private static Path resolve(Path root, String absolute) {
        String relative = absolute;
        while (relative.startsWith("/")) relative = relative.substring(1);
        return relative.isEmpty() ? root : root.resolve(relative);
    }

    @Override
    public String toString() {
        return "CgroupLayout[" + mode + ", " + byController + "]";
    }
}
