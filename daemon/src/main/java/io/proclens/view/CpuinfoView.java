package io.proclens.view;

import io.proclens.cgroup.CpuSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * /proc/cpuinfo as a cgroup sees it: only the CPUs of its cpuset, numbered from 0, so that a program counting
 * "processor" lines (nproc-like code, JVMs of old, many runtimes' thread pools) sees the CPUs it can run on.
 *
 * <p>The host's file is a list of blocks separated by blank lines; on x86 (and arm64, riscv, powerpc) each CPU's
 * block holds a {@code processor : N} line. A block of CPU N is kept when N is in the cpuset, with that line
 * rewritten as {@code processor\t: K}, K counting the kept CPUs from 0 in the host's order (as LXCFS does). Every
 * other line of the block is the host's, unchanged: {@code siblings}, {@code core id}, {@code apicid} still describe
 * the host's topology, as in LXCFS.
 *
 * <p>A block without a processor line (arm's trailing "Hardware/Revision/Serial" block, s390's header, a line with
 * a processor number we cannot read) describes the machine rather than one CPU: it is kept, unchanged and in its
 * place. LXCFS instead keeps whatever follows a kept CPU and drops whatever follows a dropped one, so such a block
 * comes and goes with the cpuset.
 *
 * <p>When the cpuset selects none of the host's CPU blocks (a layout without {@code processor : N} lines such as
 * s390's, or a cpuset naming CPUs the host text does not list), the host's text is returned unchanged: a file with
 * no CPU at all breaks every program that reads it, and the full host list is the sane, familiar answer.
 *
 * <p>Output: every kept block followed by one blank line, as the kernel prints it; runs of blank lines in the host's
 * text become one. For a cpuset holding all of a well-formed host's CPUs the output is the host's text.
 */
public final class CpuinfoView {

    private CpuinfoView() {
    }

    /**
     * @param hostCpuinfo the host's /proc/cpuinfo; never throws on its content
     * @param cpus        the cgroup's effective cpuset
     */
    public static String render(String hostCpuinfo, CpuSet cpus) {
        Objects.requireNonNull(hostCpuinfo, "hostCpuinfo");
        Objects.requireNonNull(cpus, "cpus");
        List<Block> blocks = parse(hostCpuinfo);
        Cpuinfo view = compute(blocks, cpus);
        return view.cpus() == 0 ? hostCpuinfo : render(view);
    }

    // ---------------------------------------------------------------- parse

    /** The CPU number of a block that has no processor line. */
    static final int NO_CPU = -1;

    /**
     * One block of non-blank lines.
     *
     * @param lines         its lines, without terminators
     * @param processorLine the index of its {@code processor : N} line, or -1
     * @param cpu           N, or {@link #NO_CPU}; a number too large for any cpuset is {@link Integer#MAX_VALUE}
     */
    record Block(List<String> lines, int processorLine, int cpu) {
    }

    static List<Block> parse(String text) {
        List<Block> blocks = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                if (!current.isEmpty()) blocks.add(block(current));
                current = new ArrayList<>();
            } else {
                current.add(line);
            }
        }
        // A truncated last block (no blank line after it) is still a block.
        if (!current.isEmpty()) blocks.add(block(current));
        return blocks;
    }

    private static Block block(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            int cpu = processorNumber(lines.get(i));
            if (cpu != NO_CPU) return new Block(List.copyOf(lines), i, cpu);
        }
        return new Block(List.copyOf(lines), -1, NO_CPU);
    }

    /**
     * N for a line "processor", blanks, ":", blanks, N (digits only), else {@link #NO_CPU}. s390's
     * "processor 0: version = ..." lines are not this format and give {@link #NO_CPU}.
     */
    static int processorNumber(String line) {
        String processor = "processor";
        if (!line.startsWith(processor)) return NO_CPU;
        int i = processor.length();
        int n = line.length();
        while (i < n && isBlank(line.charAt(i))) i++;
        if (i == n || line.charAt(i) != ':') return NO_CPU;
        i++;
        while (i < n && isBlank(line.charAt(i))) i++;
        int start = i;
        while (i < n && line.charAt(i) >= '0' && line.charAt(i) <= '9') i++;
        int end = i;
        while (i < n && isBlank(line.charAt(i))) i++;
        if (end == start || i != n) return NO_CPU;
        // A CPU number beyond any cpuset: still a CPU block, just never selected.
        if (end - start > 9) return Integer.MAX_VALUE;
        return Integer.parseInt(line, start, end, 10);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    // ---------------------------------------------------------------- compute

    /**
     * One kept block and its new number ({@link #NO_CPU} for a machine block, printed unchanged).
     */
    record Kept(Block block, int number) {
    }

    /** The kept blocks in the host's order, and how many of them are CPUs. */
    record Cpuinfo(List<Kept> blocks, int cpus) {
    }

    static Cpuinfo compute(List<Block> blocks, CpuSet cpus) {
        List<Kept> kept = new ArrayList<>(blocks.size());
        int next = 0;
        for (Block block : blocks) {
            if (block.cpu() == NO_CPU) {
                kept.add(new Kept(block, NO_CPU));
            } else if (cpus.contains(block.cpu())) {
                kept.add(new Kept(block, next++));
            }
        }
        return new Cpuinfo(List.copyOf(kept), next);
    }

    // ---------------------------------------------------------------- render

    static String render(Cpuinfo view) {
        StringBuilder out = new StringBuilder(view.blocks().size() * 1600);
        for (Kept kept : view.blocks()) {
            List<String> lines = kept.block().lines();
            for (int i = 0; i < lines.size(); i++) {
                if (i == kept.block().processorLine() && kept.number() != NO_CPU) {
                    // The x86 format, "processor\t: N", which LXCFS prints for every architecture it renumbers.
                    out.append("processor\t: ").append(kept.number());
                } else {
                    out.append(lines.get(i));
                }
                out.append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }
}
