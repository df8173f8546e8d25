package io.proclens.cgroup;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one process's cgroups are, for the controllers proclens reads: for each of them the directory of the
 * process's cgroup, the root directory of its hierarchy (the mount point), and whether it is cgroup v1 or v2.
 * A controller the process has no reachable cgroup for is absent. Immutable; built by
 * {@link CgroupLayout#cgroupOf(String)}. Directories are not checked: a removed cgroup is only noticed when
 * {@link MemoryAndCpuReader} reads it.
 */
public final class Cgroup {

    /** The controllers proclens reads. */
    public enum Controller {
        MEMORY("memory", "memory"),
        CPUSET("cpuset", "cpuset"),
        CPU("cpu", "cpu"),
        /**
         * CPU time used. On v1 the {@code cpuacct} hierarchy; on v2, where there is no cpuacct controller, the
         * unified cgroup itself ({@code cpu.stat}'s {@code usage_usec} exists whether or not the cpu controller
         * is enabled).
         */
        CPUACCT("cpuacct", null),
        /** Block I/O: v1 {@code blkio}, v2 {@code io}. */
        IO("blkio", "io"),
        /**
         * The process's cgroup in the unified (v2) hierarchy, whatever controllers it has: where the kernel keeps
         * {@code cgroup.threads} and the PSI files ({@code cpu.pressure}, ...), also on hybrid layouts.
         */
        UNIFIED(null, null);

        private final String kernelName;
        private final String v2Name;

        Controller(String kernelName, String v2Name) {
            this.kernelName = kernelName;
            this.v2Name = v2Name;
        }

        /** The v1 name the kernel uses in mount options and {@code /proc/PID/cgroup}; null for {@link #UNIFIED}. */
        public String kernelName() {
            return kernelName;
        }

        /**
         * Whether a cgroup2 hierarchy whose {@code cgroup.controllers} lists {@code enabled} serves this controller:
         * CPUACCT and UNIFIED are there whatever is enabled.
         */
        boolean servedByV2(java.util.Set<String> enabled) {
            return this == CPUACCT || this == UNIFIED || enabled.contains(v2Name);
        }

        /** The controller with that v1 kernel name, or {@code null} if proclens does not read it. */
        public static Controller byKernelName(String name) {
            for (Controller c : values()) {
                if (name.equals(c.kernelName)) return c;
            }
            return null;
        }
    }

    public enum Version { V1, V2 }

    /**
     * One controller's cgroup.
     *
     * @param version       v1 or v2
     * @param dir           the cgroup's directory (may not exist any more)
     * @param hierarchyRoot the directory the hierarchy is mounted at; {@code dir} is it or below it, and ancestor
     *                      walks stop there
     */
    public record Location(Version version, Path dir, Path hierarchyRoot) {
        public Location {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(hierarchyRoot, "hierarchyRoot");
            if (!dir.startsWith(hierarchyRoot)) {
                throw new IllegalArgumentException(dir + " is not under its hierarchy root " + hierarchyRoot);
            }
        }
    }

    private final Map<Controller, Location> locations;
    private final String key;

    private Cgroup(Map<Controller, Location> locations) {
        this.locations = locations;
        StringBuilder key = new StringBuilder();
        for (Map.Entry<Controller, Location> e : locations.entrySet()) {
            if (!key.isEmpty()) key.append('\n');
            key.append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append('=').append(e.getValue().dir());
        }
        this.key = key.toString();
    }

    /** A cgroup with these locations; controllers missing from the map are absent. */
    public static Cgroup of(Map<Controller, Location> locations) {
        EnumMap<Controller, Location> copy = new EnumMap<>(Controller.class);
        for (Map.Entry<Controller, Location> e : locations.entrySet()) {
            copy.put(Objects.requireNonNull(e.getKey()), Objects.requireNonNull(e.getValue()));
        }
        return new Cgroup(Collections.unmodifiableMap(copy));
    }

    public Optional<Location> location(Controller controller) {
        return Optional.ofNullable(locations.get(controller));
    }

    public Optional<Location> memory() {
        return location(Controller.MEMORY);
    }

    public Optional<Location> cpuset() {
        return location(Controller.CPUSET);
    }

    public Optional<Location> cpu() {
        return location(Controller.CPU);
    }

    public Optional<Location> cpuacct() {
        return location(Controller.CPUACCT);
    }

    public Optional<Location> io() {
        return location(Controller.IO);
    }

    public Optional<Location> unified() {
        return location(Controller.UNIFIED);
    }

    /** All present controllers, in {@link Controller} order. */
    public Map<Controller, Location> locations() {
        return locations;
    }

    /**
     * A stable identity of this set of cgroups, for cache keys: one line {@code kernelName=dir} per present
     * controller in {@link Controller} order, joined by '\n' (which no cgroup path we can parse contains).
     * Two processes in the same cgroups get equal keys; the empty string means no controller at all.
     */
    public String key() {
        return key;
    }

    /** Equal when the keys are equal (same controllers in the same directories). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Cgroup other && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return "Cgroup[" + key.replace('\n', ' ') + "]";
    }
}
