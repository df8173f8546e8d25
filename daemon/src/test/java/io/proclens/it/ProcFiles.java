package io.proclens.it;

/** Reading values out of /proc-style text, for assertions. */
final class ProcFiles {
    private ProcFiles() {
    }

    /** The number in kB of line {@code name} ("MemTotal:  262144 kB"); fails the test if absent. */
    static long kb(String meminfo, String name) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1).strip().split("\\s+")[0]);
        }
        throw new AssertionError("no " + name + " line in:\n" + meminfo);
    }

    /** The processor numbers in cpuinfo, in order. */
    static java.util.List<Integer> processors(String cpuinfo) {
        return cpuinfo.lines().filter(l -> l.startsWith("processor"))
                .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).strip())).toList();
    }

    /** The two numbers of /proc/uptime. */
    static double[] uptime(String text) {
        String[] parts = text.strip().split(" ");
        if (parts.length != 2) throw new AssertionError("not an uptime line: '" + text + "'");
        return new double[]{Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    }

    /**
     * Uptime moves while the readers start (a second apart in the emulated VM): ours, read between two reads of
     * LXCFS's, lies between them, give or take the hundredth both round to, and up to the 100 ms our snapshot cache
     * may keep a rendered file (the default --cache-ttl) behind.
     */
    static void assertUptimeBetween(String lxcfsBefore, String ours, String lxcfsAfter) {
        double before = uptime(lxcfsBefore)[0];
        double value = uptime(ours)[0];
        double after = uptime(lxcfsAfter)[0];
        if (value < before - 0.11 || value > after + 0.01) {
            throw new AssertionError("uptime of the reader's pid namespace: proclens " + value + ", lxcfs " + before
                    + " just before and " + after + " just after");
        }
    }
}
