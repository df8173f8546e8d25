package io.proclens.view;

import io.proclens.cgroup.CpuSet;

import java.util.Map;
import java.util.Objects;

/**
 * The NUMA files of /sys/devices/system/node as a cgroup sees them: its nodes (those of {@code cpuset.mems}, by the
 * host's numbers, which {@code mbind} and {@code numactl} take), on each the cgroup's CPUs, numbered as the CPU lists
 * number them (0 to N-1 over all its CPUs), and its memory.
 *
 * <ul>
 * <li>{@code online}, {@code has_memory}, {@code has_normal_memory}, {@code has_cpu}: lists of nodes, one line.
 * <li>{@code nodeN/cpulist}: the list of the cgroup's CPUs on node N; {@code cpumap} the same as the kernel's
 *     bitmap (hexadecimal, in groups of 32 bits separated by commas, as wide as the cgroup's CPU count needs).
 * <li>{@code nodeN/meminfo}: the host node's lines, each named amount with the cgroup's value from its meminfo
 *     ({@code MemUsed} is MemTotal minus MemFree, {@code FilePages} its Cached), every amount at most the node's
 *     own MemTotal; on a cgroup of several nodes each node shows the cgroup's amounts so capped (the cgroup may
 *     use its whole limit on any of them), so their sum can pass its MemTotal.
 * </ul>
 */
public final class NodeViews {
    private NodeViews() {
    }

    /** A list of nodes or CPUs in the kernel's format, one line. */
    public static String list(CpuSet set) {
        return Objects.requireNonNull(set, "set") + "\n";
    }

    /** The kernel's bitmap format of {@code set} for a machine of {@code width} CPUs: "3", "00000000,00000003". */
    public static String mask(CpuSet set, int width) {
        int digits = Math.max(1, (width + 3) / 4);
        StringBuilder hex = new StringBuilder();
        for (int digit = digits - 1; digit >= 0; digit--) {
            int nibble = 0;
            for (int bit = 0; bit < 4; bit++) if (set.contains(digit * 4 + bit)) nibble |= 1 << bit;
            hex.append(Character.forDigit(nibble, 16));
            if (digit > 0 && digit % 8 == 0) hex.append(',');
        }
        return hex + "\n";
    }

    /**
     * A node's meminfo for a cgroup.
     *
     * @param hostNode the host's {@code nodeN/meminfo} ("Node 0 MemTotal:       24683756 kB" lines)
     * @param cgroup   the cgroup's {@code /proc/meminfo} as the meminfo view renders it
     */
    public static String meminfo(String hostNode, String cgroup) {
        Map<String, Long> mine = new java.util.HashMap<>();
        for (String line : cgroup.split("\n")) {
            KbLine kb = KbLine.parse(line);
            if (kb != null && kb.kb()) mine.putIfAbsent(kb.name(), kb.value());
        }
        Long total = mine.get("MemTotal");
        Long free = mine.get("MemFree");
        if (total != null && free != null) mine.put("MemUsed", Math.max(0, total - free));
        if (mine.containsKey("Cached")) mine.put("FilePages", mine.get("Cached"));
        long nodeTotal = Long.MAX_VALUE;
        for (String line : hostNode.split("\n")) {
            NodeLine parsed = NodeLine.parse(line);
            if (parsed != null && parsed.name().equals("MemTotal")) nodeTotal = parsed.value();
        }
        StringBuilder out = new StringBuilder(hostNode.length());
        String[] lines = hostNode.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            NodeLine parsed = NodeLine.parse(lines[i]);
            Long value = parsed == null ? null : mine.get(parsed.name());
            out.append(value == null ? lines[i] : parsed.with(Math.min(value, nodeTotal)));
            if (i < lines.length - 1) out.append('\n');
        }
        return out.toString();
    }

    /** "Node 0 MemTotal:       24683756 kB": the prefix up to the value's column, the name and the value. */
    private record NodeLine(String head, String name, long value, int width) {
        static NodeLine parse(String line) {
            if (!line.startsWith("Node ") || !line.endsWith(" kB")) return null;
            int colon = line.indexOf(':');
            int nameStart = line.indexOf(' ', 5) + 1;
            if (colon < 0 || nameStart <= 0 || nameStart > colon) return null;
            String number = line.substring(colon + 1, line.length() - 3).strip();
            if (number.isEmpty() || number.length() > 18 || !number.chars().allMatch(Character::isDigit)) return null;
            return new NodeLine(line.substring(0, colon + 1), line.substring(nameStart, colon), Long.parseLong(number),
                    line.length() - 3 - (colon + 1));
        }

        String with(long value) {
            String digits = Long.toString(value);
            return head + " ".repeat(Math.max(1, width - digits.length())) + digits + " kB";
        }
    }
}
