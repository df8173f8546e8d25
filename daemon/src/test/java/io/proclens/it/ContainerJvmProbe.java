package io.proclens.it;

import java.lang.management.ManagementFactory;

/** Run inside a container by {@link ClientMatrixIT}: what a JVM there sizes itself by. */
public final class ContainerJvmProbe {
    private ContainerJvmProbe() {
    }

    public static void main(String[] args) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.println("availableProcessors " + Runtime.getRuntime().availableProcessors());
        System.out.println("totalMemorySize " + os.getTotalMemorySize());
    }
}
