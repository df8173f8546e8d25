package io.proclens.view;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SysinfoViewTest {
    static final String MEMINFO = """
            MemTotal:         262144 kB
            MemFree:          250000 kB
            MemAvailable:     255000 kB
            Buffers:               0 kB
            Cached:             4000 kB
            Shmem:               128 kB
            SwapTotal:         65536 kB
            SwapFree:          65000 kB
            """;

    @Test
    void theKernelsUnitsFromTheFilesTexts() {
        SysinfoView.Numbers n = SysinfoView.compute(MEMINFO, "12.01 20.00\n", "0.50 1.00 2.25 1/3 42\n", 3);
        assertEquals(262144L * 1024, n.totalRam(), "bytes: mem_unit 1");
        assertEquals(250000L * 1024, n.freeRam());
        assertEquals(128L * 1024, n.sharedRam());
        assertEquals(0, n.bufferRam());
        assertEquals(65536L * 1024, n.totalSwap());
        assertEquals(65000L * 1024, n.freeSwap());
        assertEquals(13, n.uptime(), "whole seconds, rounded up as the kernel does");
        assertArrayEquals(new long[]{32768, 65536, 147456}, n.loads(), "fixed point, 16 fraction bits");
        assertEquals(3, n.procs());
    }

    @Test
    void procsIsAU16AndAWholeSecondStaysWhole() {
        SysinfoView.Numbers n = SysinfoView.compute(MEMINFO, "7.00 1.00", "0 0 0 1/1 1", 70000);
        assertEquals(0xffff, n.procs());
        assertEquals(7, n.uptime());
    }

    @Test
    void missingNumbersAreAnErrorNeverZero() {
        assertThrows(IllegalArgumentException.class, () -> SysinfoView.compute("MemFree: 1 kB\n", "1 1", "0 0 0", 1));
        assertThrows(IllegalArgumentException.class, () -> SysinfoView.compute(MEMINFO, "1 1", "0.5 0.5", 1));
        assertThrows(RuntimeException.class, () -> SysinfoView.compute(MEMINFO, "up", "0 0 0", 1));
    }
}
