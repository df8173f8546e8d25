package io.proclens.view;

import io.proclens.cgroup.CpuSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuinfoViewTest {

    /** This machine's /proc/cpuinfo: CPUs 0 and 1, differing in core id and apicid. */
    private static final String HOST2 = Fixtures.read("cpuinfo-2cpu.txt");
    /** Four CPUs built from HOST2's blocks: CPU n has core id n, apicid 2n. */
    private static final String HOST4 = Fixtures.read("cpuinfo-4cpu.txt");

    /** The blocks of a cpuinfo text, each without its trailing blank line. */
    private static List<String> blocks(String text) {
        List<String> out = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            if (!block.isBlank()) out.add(block);
        }
        return out;
    }

    private static String field(String block, String name) {
        for (String line : block.split("\n")) {
            if (line.startsWith(name) && line.substring(name.length()).matches("\\s*:.*")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        throw new AssertionError("no " + name + " in\n" + block);
    }

    @Test
    void secondOfTwoCpusIsOneBlockNumberedZeroWithTheSecondBlocksData() {
        String out = CpuinfoView.render(HOST2, CpuSet.of(1));
        List<String> got = blocks(out);
        assertEquals(1, got.size());
        String hostSecond = blocks(HOST2).get(1);
        // The whole block is the host's second one, with only its processor line renumbered.
        assertEquals(hostSecond.replace("processor\t: 1", "processor\t: 0") + "\n\n", out);
        assertEquals("0", field(got.get(0), "processor"));
        assertEquals("1", field(got.get(0), "core id"));
        assertEquals("1", field(got.get(0), "apicid"));
        assertEquals("Intel(R) Xeon(R) Processor", field(got.get(0), "model name"));
    }

    @Test
    void allCpusGiveTheHostsText() {
        assertEquals(HOST2, CpuinfoView.render(HOST2, CpuSet.of(0, 1)));
        assertEquals(HOST4, CpuinfoView.render(HOST4, CpuSet.parse("0-3")));
        // CPUs the host does not have are ignored.
        assertEquals(HOST2, CpuinfoView.render(HOST2, CpuSet.parse("0-7")));
    }

    @Test
    void cpus0And2Of4AreRenumbered0And1() {
        String out = CpuinfoView.render(HOST4, CpuSet.of(0, 2));
        List<String> got = blocks(out);
        assertEquals(2, got.size());
        assertEquals("0", field(got.get(0), "processor"));
        assertEquals("0", field(got.get(0), "core id"));
        assertEquals("0", field(got.get(0), "apicid"));
        assertEquals("1", field(got.get(1), "processor"));
        assertEquals("2", field(got.get(1), "core id"));
        assertEquals("4", field(got.get(1), "apicid"));
        assertEquals(blocks(HOST4).get(2).replace("processor\t: 2", "processor\t: 1"), got.get(1));
        assertTrue(out.startsWith("processor\t: 0\nvendor_id\t: GenuineIntel\n"), out);
        assertTrue(out.endsWith("power management:\n\n"));
    }

    @Test
    void lastCpuOf4() {
        String out = CpuinfoView.render(HOST4, CpuSet.of(3));
        List<String> got = blocks(out);
        assertEquals(1, got.size());
        assertEquals("0", field(got.get(0), "processor"));
        assertEquals("6", field(got.get(0), "apicid"));
    }

    @Test
    void cpusetSelectingNothingPresentGivesTheHostsText() {
        assertEquals(HOST2, CpuinfoView.render(HOST2, CpuSet.of(5)));
        assertEquals(HOST2, CpuinfoView.render(HOST2, CpuSet.parse("")));
    }

    @Test
    void blocksWithoutProcessorLineStayInPlace() {
        // powerpc and 32-bit arm end with a block about the machine, not about one CPU.
        String host = """
                processor\t: 0
                cpu\t\t: POWER9

                processor\t: 1
                cpu\t\t: POWER9

                timebase\t: 512000000
                platform\t: pSeries
                """;
        assertEquals("""
                processor\t: 0
                cpu\t\t: POWER9

                timebase\t: 512000000
                platform\t: pSeries

                """, CpuinfoView.render(host, CpuSet.of(1)));
    }

    @Test
    void malformedTextNeverThrows() {
        // No blank line at the end (truncated), a processor line with no number, runs of blank lines.
        String host = "processor : 0\nflags : a\n\n\n\nprocessor : x\nflags : b\n\nprocessor\t:\t7  \nflags : c";
        // CPU 0 dropped, the unnumbered block kept in its place, CPU 7 renumbered 0 and given its blank line.
        assertEquals("processor : x\nflags : b\n\nprocessor\t: 0\nflags : c\n\n",
                CpuinfoView.render(host, CpuSet.of(7)));
        assertEquals("", CpuinfoView.render("", CpuSet.of(0)));
        assertEquals("\n\n", CpuinfoView.render("\n\n", CpuSet.of(0)));
        String huge = "processor\t: 99999999999\nflags : a\n\n";
        assertEquals(huge, CpuinfoView.render(huge, CpuSet.of(0)));
    }

    @Test
    void s390LayoutWithoutProcessorColonLinesIsTheHostsText() {
        String host = """
                vendor_id       : IBM/S390
                # processors    : 2
                processor 0: version = FF,  identification = 0123456,  machine = 8561
                processor 1: version = FF,  identification = 0123456,  machine = 8561

                cpu number      : 0
                cpu MHz dynamic : 5200

                cpu number      : 1
                cpu MHz dynamic : 5200
                """;
        assertEquals(host, CpuinfoView.render(host, CpuSet.of(1)));
    }

    @Test
    void processorNumberParsing() {
        assertEquals(0, CpuinfoView.processorNumber("processor\t: 0"));
        assertEquals(12, CpuinfoView.processorNumber("processor       : 12"));
        assertEquals(CpuinfoView.NO_CPU, CpuinfoView.processorNumber("processor 0: version = FF"));
        assertEquals(CpuinfoView.NO_CPU, CpuinfoView.processorNumber("processor\t: 1a"));
        assertEquals(CpuinfoView.NO_CPU, CpuinfoView.processorNumber("processors\t: 1"));
        assertEquals(Integer.MAX_VALUE, CpuinfoView.processorNumber("processor\t: 12345678901234"));
    }
}
