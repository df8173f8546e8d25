package io.proclens.render;

import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.CpuQuota;
import io.proclens.cgroup.CpuSet;
import io.proclens.cgroup.MemoryAndCpuReader;
import io.proclens.fs.VirtualFile;
import io.proclens.view.NodeViews;

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
    private static final String NODE_DIR = "/sys/devices/system/node/";

    private final MemoryAndCpuReader reader;
    private final Supplier<Options> options;
    private final Function<String, String> hostFile;
    private final Function<Cgroup, String> meminfo;

    /**
     * @param hostFile a host file's text by its path on the host (read under the renderer's root)
     * @param meminfo  the cgroup's /proc/meminfo as the reader sees it
     */
    Topology(MemoryAndCpuReader reader, Supplier<Options> options, Function<String, String> hostFile,
             Function<Cgroup, String> meminfo) {
        this.reader = reader;
        this.options = options;
        this.hostFile = hostFile;
        this.meminfo = meminfo;
    }

    /**
     * The CPUs the cgroup is shown: its cpuset within the host's online CPUs (all online CPUs when there is no
     * cpuset) and, with --enable-cfs, only as many of them (the lowest) as its CFS quota rounded up.
     */
    CpuSet cpus(Cgroup cgroup, Options now) {
        CpuSet online = CpuSet.parse(hostFile.apply(VirtualFile.CPU_ONLINE.hostPath()));
        CpuSet own = reader.cpuset(cgroup).map(online::intersect).orElse(online);
        if (own.isEmpty()) own = online;
        if (now.enableCfs()) {
            Optional<CpuQuota> quota = reader.cpuQuota(cgroup);
            if (quota.isPresent()) own = own.lowest(quota.get().wholeCpus());
        }
        return own;
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
                case "has_cpu" -> NodeViews.list(withCpus(cpus(cgroup, options.get()), nodes));
                case "has_memory", "has_normal_memory" -> NodeViews.list(nodes.intersect(CpuSet.parse(host(name))));
                default -> null;
            };
        }
        if (!nodes.contains(node)) return null; // not one of its nodes: it cannot see the directory anyway
        CpuSet shown = cpus(cgroup, options.get());
        return switch (name) {
            case "cpulist" -> NodeViews.list(onNode(shown, node));
            case "cpumap" -> NodeViews.mask(onNode(shown, node), shown.size());
            case "meminfo" -> NodeViews.meminfo(host("node" + node + "/meminfo"), meminfo.apply(cgroup));
            default -> null;
        };
    }

    /** Of the {@code shown} CPUs, those on host node {@code node}, by the numbers they are shown (0 to N-1). */
    private CpuSet onNode(CpuSet shownCpus, int node) {
        CpuSet nodeCpus = CpuSet.parse(host("node" + node + "/cpulist"));
        int[] shown = shownCpus.toArray();
        java.util.List<Integer> indexes = new java.util.ArrayList<>();
        for (int k = 0; k < shown.length; k++) if (nodeCpus.contains(shown[k])) indexes.add(k);
        return CpuSet.of(indexes.stream().mapToInt(Integer::intValue).toArray());
    }

    private CpuSet withCpus(CpuSet shown, CpuSet nodes) {
        java.util.List<Integer> with = new java.util.ArrayList<>();
        for (int node : nodes.toArray()) if (!onNode(shown, node).isEmpty()) with.add(node);
        return CpuSet.of(with.stream().mapToInt(Integer::intValue).toArray());
    }

    private String host(String relative) {
        return hostFile.apply(NODE_DIR + relative);
    }
}
