package io.proclens.cli;

import io.proclens.fs.VirtualFile;
import io.proclens.mounts.MountException;
import io.proclens.mounts.Mountpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code proclens docker-flags}: the {@code docker run} flags that bind every file proclens serves over the
 * container's own, e.g. {@code docker run $(proclens docker-flags) -m 256m IMAGE free}.
 *
 * <p>{@code --mount type=bind}, not {@code -v}: {@code -v} creates a missing source as an empty directory on the
 * host and starts the container anyway, so a daemon that is not running goes unnoticed; {@code --mount} refuses.
 */
@Command(name = "docker-flags", mixinStandardHelpOptions = true,
        description = "Prints the `docker run` flags that bind proclens' files over /proc/... and /sys/... in a"
                + " container: docker run $(proclens docker-flags) -m 256m IMAGE. Exit status 1 (the flags are"
                + " printed all the same, so that docker refuses to start) when nothing serves MOUNTPOINT.")
final class DockerFlagsCommand implements Callable<Integer> {
    @Mixin
    DaemonMountpoint mountpoint;

    @Option(names = "--pressure", description = "Also bind /proc/pressure/{cpu,io,memory}. Off by default: runc (1.1,"
            + " Debian 12's) refuses any mount inside /proc but a fixed list of files, which has no pressure file.")
    boolean pressure;

    @Option(names = "--vmstat", description = "Also bind /proc/vmstat. Off by default, as --pressure: runc refuses"
            + " a mount over a /proc file outside its list.")
    boolean vmstat;

    @Override
    public Integer call() {
        Path source = mountpoint.path();
        List<VirtualFile> files = VirtualFile.servedHere(Path.of("/proc")).stream()
                .filter(f -> !f.runcRefusesBind() || (f.pressureResource() != null ? pressure : vmstat)).toList();
        System.out.println(String.join(" ", flags(source, files)));
        Mountpoint.State state;
        try {
            state = Mountpoint.state(source);
        } catch (MountException e) {
            state = Mountpoint.State.NOT_MOUNTED;
        }
        if (state == Mountpoint.State.SERVED) return 0;
        System.err.println("proclens: warning: " + source + " is not served (" + state.name().toLowerCase().replace('_', ' ')
                + "): docker will refuse these mounts; start `proclens mount " + source + "` first");
        return 1;
    }

    /** One {@code --mount} flag per file; read-only, since nothing in a container may write through them. */
    static List<String> flags(Path source, List<VirtualFile> files) {
        String text = source.toString();
        // The flags are split on whitespace by the shell's $(...), and docker splits --mount on commas and '='.
        if (!text.matches("[A-Za-z0-9/._+@:-]+")) {
            throw new UserError("the mountpoint " + text + " has characters a --mount flag cannot carry;"
                    + " use a plain path such as " + ServingOptions.DEFAULT_MOUNTPOINT);
        }
        return files.stream()
                .map(f -> "--mount type=bind,source=" + source.resolve(f.path()) + ",target=" + f.hostPath() + ",readonly")
                .toList();
    }
}
