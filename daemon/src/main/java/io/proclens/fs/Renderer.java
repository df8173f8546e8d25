package io.proclens.fs;

import java.lang.foreign.MemorySegment;

/** Renders a virtual file as the process {@code callerPid} should see it: an immutable snapshot of its bytes. */
@FunctionalInterface
public interface Renderer {
    MemorySegment render(VirtualFile file, int callerPid) throws FsException;

    /**
     * The host CPUs the caller is shown, in the order it numbers them (its cpu0 first); null to show it the host's
     * (a caller that cannot be resolved, or a renderer without cgroups).
     */
    default int[] shownCpus(int callerPid) {
        return null;
    }

    /** The host NUMA nodes the caller may allocate on; null to show it the host's. */
    default int[] shownNodes(int callerPid) {
        return null;
    }

    /**
     * A file of sys/devices/system/node for the caller: {@code name} one of online, has_cpu, has_memory,
     * has_normal_memory (node -1), or cpulist, cpumap, meminfo of host node {@code node}; null for the host's.
     */
    default String nodeFile(int node, String name, int callerPid) {
        return null;
    }

    /** A renderer from a function giving text; for tests. */
    static Renderer ofText(TextRenderer text) {
        return (file, pid) -> Snapshots.of(text.render(file, pid));
    }

    @FunctionalInterface
    interface TextRenderer {
        String render(VirtualFile file, int callerPid) throws FsException;
    }
}
