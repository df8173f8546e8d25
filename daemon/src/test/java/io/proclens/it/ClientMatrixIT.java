package io.proclens.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The programs people run in containers, in real containers of a private Docker engine, with proclens' files bound
 * by {@code proclens docker-flags}, and the same container with LXCFS's files bound instead: each value is compared
 * with what the kernel shows a VM of the container's size. Every row proclens claims must be right; a row it cannot
 * serve says why. The table is printed and written to target/it/client-matrix-*.md (the README's table).
 *
 * <p>The containers run this machine's own programs (its /usr, read-only: {@link DockerEngine#hostUsrImage}), with
 * a busy loop beside them, as a container with work to do would.
 */
class ClientMatrixIT {
    static final String MEM_KB = "262144 kB";
    static final String TOPOLOGY = "counts the cpuN directories of /sys/devices/system/cpu, which docker-flags does"
            + " not bind (the whole directory bound shows the reader's: ViewsIT)";
    static final String AFFINITY = "sched_getaffinity(2), not a file: the kernel's own answer for a quota";

    /** Each program's output after a line "=====NAME"; a busy loop runs all along. */
    static final String SCRIPT = """
            sec() { echo "=====$1"; }
            sh -c 'while :; do :; done' &
            loop=$!
            start=$(date +%s)
            sleep 1
            sec top; top -b -n 3 -d 0.5 -w 200
            sec vmstat; vmstat 1 3
            sec free; free -k -s 0.5 -c 3
            sec uptime; echo $(( $(date -d "$(uptime -s)" +%s) - start ))
            sec bb-cat; busybox cat /proc/meminfo
            sec bb-cat-cpuinfo; busybox cat /proc/cpuinfo
            sec bb-head; busybox head -n 1 /proc/meminfo
            sec bb-top; busybox top -b -n 2 -d 1
            sec bb-free; busybox free
            sec bb-uptime; busybox uptime
            sec bb-nproc; busybox nproc
            sec getconf-onln; getconf _NPROCESSORS_ONLN
            sec getconf-conf; getconf _NPROCESSORS_CONF
            sec lscpu; lscpu
            sec nproc; nproc
            sec nproc-all; nproc --all
            sec cat; cat /proc/meminfo
            sec cp; cp /proc/meminfo /tmp/meminfo && cat /tmp/meminfo
            sec py-cpu; python3 -c 'import os; print(os.cpu_count())'
            sec py-phys; python3 -c 'import os; print(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 1024)'
            sec py-open; python3 -c 'print(open("/proc/meminfo").read(), end="")'
            sec py-copyfileobj; python3 -c 'import shutil, sys; shutil.copyfileobj(open("/proc/meminfo", "rb"), sys.stdout.buffer)' | cat
            sec py-copyfile; python3 -c 'import shutil; shutil.copyfile("/proc/meminfo", "/tmp/py")' && cat /tmp/py
            sec htop; TERM=xterm timeout 3 script -qfc 'htop -d 10' /dev/null < /dev/null; echo
            sec jvm; java -XX:-UsePerfData -Xshare:auto -cp /probe io.proclens.it.ContainerJvmProbe
            sec end
            kill $loop
            """;

    /**
     * One row of the table: a program's value for the container, parsed from its section of the output.
     *
     * @param limit null when proclens serves it (then it must be right); else why it cannot
     */
    record Row(String program, String truth, String section, Function<String, String> shown, Predicate<String> right,
               String limit) {
    }

    static DockerEngine engine;
    /** Where the proclens runtime of {@link #engine} finds the seccomp socket of the daemon under test. */
    static Path socketFile;

    @TempDir
    Path temp;

    @BeforeAll
    static void startDocker() throws Exception {
        for (String tool : List.of("top", "vmstat", "free", "uptime", "lscpu", "getconf", "python3", "busybox", "htop", "script")) {
            Assumptions.assumeTrue(Host.hasCommand(tool), tool + " is not installed");
        }
        socketFile = Files.createTempFile("proclens-it-socket", "");
        engine = DockerEngine.startWithSysinfoRuntime(socketFile);
    }

    @AfterAll
    static void stopDocker() throws Exception {
        if (engine != null) engine.close();
        if (socketFile != null) {
            Files.deleteIfExists(socketFile);
            Files.deleteIfExists(socketFile.resolveSibling(socketFile.getFileName() + ".runc"));
        }
    }

    @Test
    void programsInA256MiBOneCpuContainerSeeItsSize() throws Exception {
        List<String> size = List.of("-m", "256m", "--cpuset-cpus", "0");
        matrix("256m-cpuset0", size, oneCpuRows(), new String[0]);
    }

    @Test
    void withEnableCfsProgramsInAHalfCpuContainerSeeOneCpu() throws Exception {
        List<String> size = List.of("-m", "256m", "--cpus", "0.5");
        List<Row> rows = oneCpuRows().stream().filter(r -> CFS_ROWS.contains(r.program())).toList();
        matrix("256m-cpus0.5-enable-cfs", size, rows, new String[]{"--enable-cfs"});
    }

    /** The rows a quota changes; nproc asks the kernel for its affinity, which a quota leaves at every CPU. */
    static final List<String> CFS_ROWS = List.of("busybox cat /proc/cpuinfo: processors",
            "getconf _NPROCESSORS_ONLN", "coreutils nproc", "Python os.cpu_count()", "JVM availableProcessors()",
            "busybox nproc");

    private void matrix(String name, List<String> size, List<Row> rows, String[] options) throws Exception {
        Map<String, String> ours;
        Map<String, String> theirs;
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), proclensOptions(options))) {
            ours = runIn(size, proclensFlags(daemon));
        }
        try (Lxcfs lxcfs = Lxcfs.start(temp.resolve("lxcfs"), options)) {
            theirs = runIn(size, lxcfsFlags(lxcfs.mountpoint));
        }
        StringBuilder table = new StringBuilder("| program | a VM of this size | proclens | LXCFS 5 | |\n|---|---|---|---|---|\n");
        List<String> wrong = new ArrayList<>();
        for (Row row : rows) {
            String mine = shown(row, ours);
            String reference = shown(row, theirs);
            boolean right = row.right().test(mine);
            String verdict = right ? "right" : row.limit() == null ? "**WRONG**" : "not served: " + row.limit();
            if (!right && row.limit() == null) wrong.add(row.program() + ": " + mine + " (" + ours.get(row.section()) + ")");
            table.append("| ").append(row.program()).append(" | ").append(row.truth()).append(" | ").append(mine)
                    .append(" | ").append(reference).append(row.right().test(reference) ? "" : " (wrong)")
                    .append(" | ").append(verdict).append(" |\n");
        }
        System.out.println("ClientMatrixIT " + name + ":\n" + table);
        Files.createDirectories(Path.of("target/it"));
        Files.writeString(Path.of("target/it/client-matrix-" + name + tableSuffix() + ".md"), table);
        assertEquals(List.of(), wrong, "rows proclens claims to serve, wrong:\n" + table);
    }

    private static String shown(Row row, Map<String, String> sections) {
        String text = sections.get(row.section());
        if (text == null) return "(no output)";
        try {
            return row.shown().apply(text);
        } catch (RuntimeException | AssertionError e) { // ProcFiles' parsers fail as assertions
            return "(unreadable: " + text.strip().lines().findFirst().orElse("empty") + ")";
        }
    }

    /** proclens' options for a matrix run with {@code options} (which LXCFS gets too); a subclass adds its own. */
    String[] proclensOptions(String[] options) {
        return options;
    }

    /** What a subclass's tables add to their file names. */
    String tableSuffix() {
        return "";
    }

    /** Runs {@link #SCRIPT} in a container of {@code size} with {@code binds}; its sections by name. */
    private Map<String, String> runIn(List<String> size, List<String> binds) throws Exception {
        Path probe = Path.of(ContainerJvmProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none", "-e", "TERM=dumb",
                "-e", "PATH=/usr/bin:/usr/sbin:" + Path.of(Host.java()).getParent(),
                "--mount", DockerEngine.HOST_USR, "--mount", "type=bind,source=" + probe + ",target=/probe,readonly"));
        args.addAll(size);
        args.addAll(binds);
        args.addAll(List.of(engine.hostUsrImage(), "sh", "-c", SCRIPT));
        Host.Result result = engine.docker(args);
        assertEquals(0, result.status(), result.output() + "\n" + engine.log());
        Map<String, String> sections = new LinkedHashMap<>();
        String[] parts = result.output().split("(?m)^=====", -1);
        for (int i = 1; i < parts.length; i++) {
            int newline = parts[i].indexOf('\n');
            sections.put(newline < 0 ? parts[i] : parts[i].substring(0, newline), newline < 0 ? "" : parts[i].substring(newline + 1));
        }
        Assumptions.assumeTrue(sections.containsKey("end"), "the container's script did not finish:\n" + result.output());
        return sections;
    }

    /** What `proclens docker-flags` prints for this engine: the binds and, since it has the runtime, sysinfo's. */
    private static List<String> proclensFlags(Daemon daemon) throws Exception {
        Files.writeString(socketFile, SysinfoIT.socketOf(daemon).toString());
        List<String> command = new ArrayList<>(List.of("env", "DOCKER_HOST=unix://" + engine.dir.resolve("docker.sock")));
        command.addAll(Host.proclens("docker-flags", "--mountpoint", daemon.file("").toString()));
        Host.Result flags = Host.run(command);
        assertEquals(0, flags.status(), flags.output());
        String line = flags.output().lines().filter(l -> l.startsWith("--")).findFirst().orElseThrow();
        assertTrue(line.contains("--runtime proclens"), flags.output());
        return List.of(line.strip().split("\\s+"));
    }

    /** LXCFS's files, bound over the same paths as ours (those it has). */
    private static List<String> lxcfsFlags(Path mount) {
        List<String> flags = new ArrayList<>();
        for (String file : List.of("proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/uptime", "proc/loadavg",
                "proc/diskstats", "proc/swaps", "proc/slabinfo", "sys/devices/system/cpu/online")) {
            if (!Files.exists(mount.resolve(file))) continue;
            flags.addAll(List.of("--mount", "type=bind,source=" + mount.resolve(file) + ",target=/" + file + ",readonly"));
        }
        return flags;
    }

    // ---- the rows ----

    static List<Row> oneCpuRows() {
        Predicate<String> memKb = MEM_KB::equals;
        Predicate<String> one = "1"::equals;
        return List.of(
                new Row("procps top: MiB Mem total", "256.0", "top", ClientMatrixIT::topMemTotal, "256.0"::equals, null),
                new Row("procps top: the busy loop's %CPU, last of 3", "~100", "top", ClientMatrixIT::topBusyLoop,
                        ClientMatrixIT::aboutOneCpu, null),
                new Row("procps top: %Cpu(s) us, last of 3", ">= 50 (a busy loop on the only CPU)", "top",
                        ClientMatrixIT::topUser, ClientMatrixIT::atLeastHalf, null),
                new Row("procps vmstat 1 3: us, rows 2-3", ">= 50", "vmstat", ClientMatrixIT::vmstatUser,
                        ClientMatrixIT::atLeastHalf, null),
                new Row("procps free -s 0.5 -c 3: totals", "262144 x3", "free", ClientMatrixIT::freeTotals,
                        "262144 x3"::equals, null),
                new Row("procps uptime -s: up since", "the container's start (+-5 s)", "uptime",
                        ClientMatrixIT::sinceStart, ClientMatrixIT::withinFiveSeconds, null),
                new Row("busybox cat /proc/meminfo (sendfile)", MEM_KB + ", whole", "bb-cat", ClientMatrixIT::wholeMemTotal,
                        (MEM_KB + ", whole")::equals, null),
                new Row("busybox cat /proc/cpuinfo: processors", "1", "bb-cat-cpuinfo", ClientMatrixIT::processors, one, null),
                new Row("busybox head /proc/meminfo", MEM_KB, "bb-head", ClientMatrixIT::memTotal, memKb, null),
                new Row("busybox top: Mem used + free", MEM_KB, "bb-top", ClientMatrixIT::busyboxTopMem, memKb, null),
                new Row("busybox free: total", "262144", "bb-free", ClientMatrixIT::busyboxFreeTotal, "262144"::equals, null),
                new Row("busybox uptime", "up 0 min", "bb-uptime", ClientMatrixIT::busyboxUp, "up 0 min"::equals, null),
                new Row("busybox nproc", "1", "bb-nproc", String::strip, one, AFFINITY),
                new Row("getconf _NPROCESSORS_ONLN", "1", "getconf-onln", String::strip, one, null),
                new Row("getconf _NPROCESSORS_CONF", "1", "getconf-conf", String::strip, one, null),
                new Row("util-linux lscpu: CPU(s)", "1", "lscpu", ClientMatrixIT::lscpuCpus, one, null),
                new Row("coreutils nproc", "1", "nproc", String::strip, one, AFFINITY),
                new Row("coreutils nproc --all", "1", "nproc-all", String::strip, one, null),
                new Row("coreutils cat /proc/meminfo", MEM_KB, "cat", ClientMatrixIT::memTotal, memKb, null),
                new Row("coreutils cp /proc/meminfo", MEM_KB + ", whole", "cp", ClientMatrixIT::wholeMemTotal,
                        (MEM_KB + ", whole")::equals, null),
                new Row("Python os.cpu_count()", "1", "py-cpu", String::strip, one, null),
                new Row("Python sysconf(SC_PHYS_PAGES)", "262144 kB", "py-phys", s -> s.strip() + " kB", memKb, null),
                new Row("Python open().read()", MEM_KB, "py-open", ClientMatrixIT::memTotal, memKb, null),
                new Row("Python shutil.copyfileobj to a pipe", MEM_KB + ", whole", "py-copyfileobj",
                        ClientMatrixIT::wholeMemTotal, (MEM_KB + ", whole")::equals, null),
                new Row("Python shutil.copyfile (sendfile)", MEM_KB + ", whole", "py-copyfile",
                        ClientMatrixIT::wholeMemTotal, (MEM_KB + ", whole")::equals, null),
                new Row("JVM availableProcessors()", "1", "jvm", s -> field(s, "availableProcessors"), one, null),
                new Row("JVM getTotalMemorySize()", "268435456", "jvm", s -> field(s, "totalMemorySize"),
                        "268435456"::equals, null),
                new Row("htop (under script(1)): Mem total", "256M", "htop", ClientMatrixIT::htopMemTotal, "256M"::equals, null),
                new Row("htop: CPU meters", "1", "htop", ClientMatrixIT::htopCpuMeters, one, TOPOLOGY),
                new Row("htop: Uptime", "00:00:xx", "htop", ClientMatrixIT::htopUptime, u -> u.startsWith("00:00:"), null));
    }

    static String memTotal(String text) {
        return ProcFiles.kb(text, "MemTotal") + " kB";
    }

    /** MemTotal, and whether the copy has every line the host's meminfo has. */
    static String wholeMemTotal(String text) {
        int lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/meminfo")).size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long count = text.lines().count();
        return memTotal(text) + (count == lines ? ", whole" : ", " + count + " of " + lines + " lines");
    }

    static String processors(String text) {
        return Integer.toString(ProcFiles.processors(text).size());
    }

    static String field(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow().substring(name.length() + 1).strip();
    }

    /** The last "MiB Mem :" line's total. */
    static String topMemTotal(String text) {
        String line = text.lines().filter(l -> l.startsWith("MiB Mem")).reduce((a, b) -> b).orElseThrow();
        return line.substring(line.indexOf(':') + 1).strip().split("\\s+")[0];
    }

    /** The last "%Cpu(s):" line's us. */
    static String topUser(String text) {
        String line = text.lines().filter(l -> l.startsWith("%Cpu")).reduce((a, b) -> b).orElseThrow();
        return line.substring(line.indexOf(':') + 1).strip().split("\\s+")[0];
    }

    /** The highest %CPU of an "sh" in top's last iteration: the busy loop. */
    static String topBusyLoop(String text) {
        List<String> last = List.of(text.substring(text.lastIndexOf("top - ")).split("\n"));
        int header = 0;
        while (!last.get(header).contains("%CPU")) header++;
        List<String> columns = List.of(last.get(header).trim().split("\\s+"));
        double highest = -1;
        for (String line : last.subList(header + 1, last.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == columns.size() && fields[fields.length - 1].equals("sh")) {
                highest = Math.max(highest, Double.parseDouble(fields[columns.indexOf("%CPU")]));
            }
        }
        return Double.toString(highest);
    }

    /** htop's screen without its escape sequences. */
    static String screen(String text) {
        return text.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]|\u001B\\([AB0]|\u001B[=>]", "");
    }

    static String htopMemTotal(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Mem\\[[^\\]]*?([0-9.]+[KMGT])/([0-9.]+[KMGT])\\]")
                .matcher(screen(text));
        return m.find() ? m.group(2) : "(no Mem meter)";
    }

    static String htopCpuMeters(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![0-9.A-Za-z])([0-9]+)\\[").matcher(screen(text));
        java.util.Set<String> cpus = new java.util.TreeSet<>();
        while (m.find()) cpus.add(m.group(1));
        return Integer.toString(cpus.size());
    }

    static String htopUptime(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Uptime: ([0-9:]+)").matcher(screen(text));
        return m.find() ? m.group(1) : "(no Uptime meter)";
    }

    static boolean aboutOneCpu(String value) {
        try {
            double percent = Double.parseDouble(value);
            return percent >= 50 && percent <= 150;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** vmstat's us column in its 2nd and 3rd rows (the first is since boot), the smaller. */
    static String vmstatUser(String text) {
        List<String> lines = text.lines().toList();
        List<String> header = List.of(lines.get(1).trim().split("\\s+"));
        int us = header.indexOf("us");
        int smallest = Integer.MAX_VALUE;
        for (String row : lines.subList(3, lines.size())) smallest = Math.min(smallest, Integer.parseInt(row.trim().split("\\s+")[us]));
        return Integer.toString(smallest);
    }

    static String freeTotals(String text) {
        List<String> totals = text.lines().filter(l -> l.startsWith("Mem:")).map(l -> l.trim().split("\\s+")[1]).distinct().toList();
        long count = text.lines().filter(l -> l.startsWith("Mem:")).count();
        return String.join("/", totals) + " x" + count;
    }

    /** Seconds between the container's start and "up since" (uptime -s). */
    static String sinceStart(String text) {
        return text.strip() + " s";
    }

    static String busyboxTopMem(String text) {
        String line = text.lines().filter(l -> l.startsWith("Mem:")).reduce((a, b) -> b).orElseThrow();
        String[] words = line.substring(4).trim().split("[ ,]+");
        return (kib(words[0]) + kib(words[2])) + " kB";
    }

    static long kib(String value) {
        char unit = value.charAt(value.length() - 1);
        long number = Long.parseLong(value.substring(0, value.length() - 1));
        return switch (unit) {
            case 'K' -> number;
            case 'M' -> number * 1024;
            case 'G' -> number * 1024 * 1024;
            default -> throw new IllegalArgumentException(value);
        };
    }

    static String busyboxFreeTotal(String text) {
        return text.lines().filter(l -> l.trim().startsWith("Mem:")).findFirst().orElseThrow().trim().split("\\s+")[1];
    }

    static String busyboxUp(String text) {
        String up = text.substring(text.indexOf("up ") + 3);
        return "up " + up.substring(0, up.indexOf(',')).strip();
    }

    static String lscpuCpus(String text) {
        return text.lines().filter(l -> l.startsWith("CPU(s):")).findFirst().orElseThrow().substring(7).strip();
    }

    static boolean atLeastHalf(String value) {
        try {
            return Double.parseDouble(value) >= 50;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static boolean withinFiveSeconds(String value) {
        try {
            return Math.abs(Long.parseLong(value.replace(" s", ""))) <= 5;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
