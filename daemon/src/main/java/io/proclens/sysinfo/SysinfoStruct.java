package io.proclens.sysinfo;

import io.proclens.view.SysinfoView;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sysinfo} of the 64-bit Linux ABIs (x86-64, arm64): uptime, loads[3], totalram, freeram, sharedram,
 * bufferram, totalswap, freeswap (longs), procs (u16) and padding, totalhigh, freehigh (longs), mem_unit (u32), and
 * the padding to 112 bytes; and which system call number and audit architecture it belongs to.
 */
final class SysinfoStruct {
    static final int SIZE = 112;
    private static final boolean ARM64 = System.getProperty("os.arch").equals("aarch64");
    /** __NR_sysinfo of this JVM's architecture, and its AUDIT_ARCH_*: calls of other ABIs (i386) run for real. */
    static final int SYSCALL_NUMBER = ARM64 ? 179 : 99;
    static final int AUDIT_ARCH = ARM64 ? 0xC00000B7 : 0xC000003E;

    private SysinfoStruct() {
    }

    /** Writes {@code numbers} over all of {@code out} ({@link #SIZE} bytes), padding zeroed. */
    static void encode(SysinfoView.Numbers numbers, MemorySegment out) {
        out.asSlice(0, SIZE).fill((byte) 0);
        out.set(JAVA_LONG, 0, numbers.uptime());
        for (int i = 0; i < 3; i++) out.set(JAVA_LONG, 8 + 8L * i, numbers.loads()[i]);
        out.set(JAVA_LONG, 32, numbers.totalRam());
        out.set(JAVA_LONG, 40, numbers.freeRam());
        out.set(JAVA_LONG, 48, numbers.sharedRam());
        out.set(JAVA_LONG, 56, numbers.bufferRam());
        out.set(JAVA_LONG, 64, numbers.totalSwap());
        out.set(JAVA_LONG, 72, numbers.freeSwap());
        out.set(JAVA_SHORT, 80, (short) numbers.procs());
        out.set(JAVA_INT, 104, 1); // mem_unit: the sizes are bytes, as the kernel gives them on 64-bit
    }
}
