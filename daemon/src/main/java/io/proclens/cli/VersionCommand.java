package io.proclens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code proclens version}: ours, the JVM's and the libfuse we run against. */
@Command(name = "version", description = "Prints the versions of proclens, the JVM and libfuse.")
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        for (String line : new Provider().getVersion()) System.out.println(line);
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String ours = Main.class.getPackage().getImplementationVersion();
            return new String[]{
                    "proclens " + (ours == null ? "(development build)" : ours),
                    "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                    "libfuse " + Preflight.libfuseVersion().orElse("not found")
            };
        }
    }
}
