package io.proclens.render;

import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.CpuQuota;
import io.proclens.cgroup.CpuSet;
import io.proclens.cgroup.MemoryAndCpuReader;
import io.proclens.view.NodeViews;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The CPUs and NUMA nodes a cgroup is shown: its cpuset within the host's online CPUs (and, with --enable-cfs, its
 * quota), the nodes of its cpuset.mems the host has online, the host node each of its CPUs is on; and the node
 * files made of them ({@link NodeViews} prints them), rendered at every read: nodes are read rarely (lscpu,
 * numactl, a runtime's start).
 */
final class Topology {
    private final Path root;
    private final Path nodeDir;
    private final MemoryAndCpuReader reader;
    private final Supplier<Options> options;
    private final Function<Cgroup, String> meminfo;

    /**
     * @param root    the filesystem root the host's files are read under
     * @param meminfo the cgroup's /proc/meminfo as the reader sees it
     */
    Topology(Path root, MemoryAndCpuReader reader, Supplier<Options> options, Function<Cgroup, String> meminfo) {
        this.root = root;
        this.nodeDir = root.resolve("sys/devices/system/node");
        this.reader = reader;
        this.options = options;
        this.meminfo = meminfo;
    }

    /**
     * The CPUs the cgroup is shown: its cpuset within the host's online CPUs (all online CPUs when there is no
     * cpuset) and, with --enable-cfs, only as many of them (the lowest) as its CFS quota rounded up.
     */
    CpuSet cpus(Cgroup cgroup, Options now) {
        CpuSet online = CpuSet.parse(read(root.resolve("sys/devices/system/cpu/online")));
        CpuSet own = reader.cpuset(cgroup).map(online::intersect).orElse(online);
        if (own.isEmpty()) own = online;
        if (now.enableCfs()) {
            Optional<CpuQuota> quota = reader.cpuQuota(cgroup);
            if (quota.isPresent()) own = own.lowest(quota.get().wholeCpus());
        }
        return own;
    }

    private CpuSet shownCpus(Cgroup cgroup) {
        return cpus(cgroup, options.get());
    }

    /** The host's online nodes the cgroup may allocate on (all online ones without a cpuset, or if none is left). */
    CpuSet nodes(Cgroup cgroup) {
        CpuSet online = CpuSet.parse(host("online"));
        CpuSet own = reader.memoryNodes(cgroup).map(online::intersect).orElse(online);
        return own.isEmpty() ? online : own;
    }

    /** The file's text for the cgroup; see {@link io.proclens.fs.Renderer#nodeFile}. */
    String render(Cgroup cgroup, int node, String name) {
        CpuSet nodes = nodes(cgroup);
        if (node < 0) {
            return switch (name) {
                case "online" -> NodeViews.list(nodes);
                case "has_cpu" -> NodeViews.list(withCpus(cgroup, nodes));
                case "has_memory", "has_normal_memory" -> NodeViews.list(nodes.intersect(CpuSet.parse(host(name))));
                default -> null;
            };
        }
        if (!nodes.contains(node)) return null; // not one of its nodes: it cannot see the directory anyway
        return switch (name) {
            case "cpulist" -> NodeViews.list(onNode(cgroup, node));
            case "cpumap" -> NodeViews.mask(onNode(cgroup, node), shownCpus(cgroup).size());
            case "meminfo" -> NodeViews.meminfo(host("node" + node + "/meminfo"), meminfo.apply(cgroup));
            default -> null;
        };
    }

    /** The cgroup's CPUs on host node {@code node}, by the numbers it is shown them (0 to N-1 over all of them). */
    private CpuSet onNode(Cgroup cgroup, int node) {
        CpuSet nodeCpus = CpuSet.parse(host("node" + node + "/cpulist"));
        int[] shown = shownCpus(cgroup).toArray();
        java.util.List<Integer> indexes = new java.util.ArrayList<>();
        for (int k = 0; k < shown.length; k++) if (nodeCpus.contains(shown[k])) indexes.add(k);
        return CpuSet.of(indexes.stream().mapToInt(Integer::intValue).toArray());
    }

    private CpuSet withCpus(Cgroup cgroup, CpuSet nodes) {
        java.util.List<Integer> with = new java.util.ArrayList<>();
        for (int node : nodes.toArray()) if (!onNode(cgroup, node).isEmpty()) with.add(node);
        return CpuSet.of(with.stream().mapToInt(Integer::intValue).toArray());
    }

    private String host(String relative) {
        return read(nodeDir.resolve(relative));
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
