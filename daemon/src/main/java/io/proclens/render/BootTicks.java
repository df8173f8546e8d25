package io.proclens.render;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Now, in the clock ticks since boot (USER_HZ: 100 a second) that /proc/PID/stat counts start times in, never ahead
 * of the kernel's: calibrated once from /proc/uptime (read before the nanoTime it is paired with, and truncated to
 * 10 ms, so the estimate can only lag), then {@link System#nanoTime} without allocating.
 */
public final class BootTicks implements LongSupplier {
    static final long NANOS_PER_TICK = 10_000_000L;
    private static final long MAX_UPTIME_NANOS = 1L << 62;
    /** Boot time on the nanoTime scale; when /proc/uptime cannot be read, "now" stays at 0: nothing is young enough to trust. */
    private final long bootNanos;
    private final boolean known;

    public BootTicks(Path procRoot) {
        long boot = 0;
        boolean ok = false;
        try {
            String first = Files.readString(procRoot.resolve("uptime")).strip().split("\\s+")[0];
            long uptimeNanos = new java.math.BigDecimal(first).movePointRight(9).longValueExact();
            boot = System.nanoTime() - uptimeNanos;
            // above 2^62 ns (146 years) is no uptime, and "now" (uptime plus the time since) would wrap past 2^63
            ok = uptimeNanos >= 0 && uptimeNanos < MAX_UPTIME_NANOS;
        } catch (IOException | RuntimeException e) {
            // unknown: see the field's comment
        }
        this.bootNanos = boot;
        this.known = ok;
    }

    @Override
    public long getAsLong() {
        return known ? (System.nanoTime() - bootNanos) / NANOS_PER_TICK : 0;
    }
}
