package io.proclens.cgroup;

import java.util.BitSet;

/**
 * A set of CPU numbers, parsed from and printed in the kernel's list format ("0-3,8,10-11").
 * Immutable.
 */
public final class CpuSet {
    /** Guards against absurd input such as "0-4000000000"; the kernel's own limit is 8192. */
    public static final int MAX_CPUS = 8192;

    private final BitSet cpus;

    private CpuSet(BitSet cpus) {
        this.cpus = cpus;
    }

    public static CpuSet of(int... cpus) {
        BitSet bits = new BitSet();
        for (int cpu : cpus) {
            if (cpu < 0 || cpu >= MAX_CPUS) throw new IllegalArgumentException("cpu out of range: " + cpu);
            bits.set(cpu);
        }
        return new CpuSet(bits);
    }

    /**
     * Parses the kernel's list format. Whitespace around the text is ignored; an empty text is the empty set.
     *
     * @throws IllegalArgumentException on anything else than comma-separated numbers and ranges below {@link #MAX_CPUS}
     */
    public static CpuSet parse(String text) {
        BitSet bits = new BitSet();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) return new CpuSet(bits);
        for (String part : trimmed.split(",", -1)) {
            int dash = part.indexOf('-');
            int from = parseCpu(part, dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : parseCpu(part, part.substring(dash + 1));
            if (to < from) throw new IllegalArgumentException("bad cpu range: " + part);
            bits.set(from, to + 1);
        }
        return new CpuSet(bits);
    }

    private static int parseCpu(String part, String number) {
        if (number.isEmpty() || number.length() > 5 || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad cpu list element: '" + part + "'");
        }
        int cpu = Integer.parseInt(number);
        if (cpu >= MAX_CPUS) throw new IllegalArgumentException("cpu out of range: " + part);
        return cpu;
    }

    public boolean contains(int cpu) {
        return cpu >= 0 && cpus.get(cpu);
    }

    public int size() {
        return cpus.cardinality();
    }

    public boolean isEmpty() {
        return cpus.isEmpty();
    }

    /** The CPUs in both sets. */
    public CpuSet intersect(CpuSet other) {
        BitSet bits = (BitSet) cpus.clone();
        bits.and(other.cpus);
        return new CpuSet(bits);
    }

    /** The {@code count} lowest CPUs of this set (all of them when it has fewer). */
    public CpuSet lowest(int count) {
        BitSet bits = new BitSet();
        for (int cpu = cpus.nextSetBit(0), taken = 0; cpu >= 0 && taken < count; cpu = cpus.nextSetBit(cpu + 1), taken++) {
            bits.set(cpu);
        }
        return new CpuSet(bits);
    }

    /** The CPU numbers in ascending order. */
    public int[] toArray() {
        return cpus.stream().toArray();
    }

    /** The kernel's list format: consecutive CPUs are joined into a range ("0-1", as the kernel prints it). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        int from = cpus.nextSetBit(0);
        while (from >= 0) {
            int to = cpus.nextClearBit(from) - 1;
            if (!out.isEmpty()) out.append(',');
            out.append(from);
            if (to > from) out.append('-').append(to);
            from = cpus.nextSetBit(to + 1);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet other && cpus.equals(other.cpus);
    }

    @Override
    public int hashCode() {
        return cpus.hashCode();
    }
}
