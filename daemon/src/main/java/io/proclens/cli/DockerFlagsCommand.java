package io.proclens.cli;

import io.proclens.fs.VirtualFile;
import io.proclens.mounts.MountException;
import io.proclens.mounts.Mountpoint;
import io.proclens.mounts.RunFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

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

    @Option(names = "--no-sysinfo", description = "Leave out `--runtime proclens`, which gives containers' sysinfo(2)"
            + " (busybox free and uptime, glibc's _SC_PHYS_PAGES) their own numbers. It is added only when the daemon"
            + " serves sysinfo and this Docker has the runtime registered (scripts/proclens-runc; docs/operations.md).")
    boolean noSysinfo;

    /** The name scripts/proclens-runc is registered under in dockerd (its "runtimes" or --add-runtime). */
    static final String RUNTIME = "proclens";

    @Override
    public Integer call() {
        Path source = mountpoint.path();
        List<VirtualFile> files = VirtualFile.servedHere(Path.of("/proc")).stream()
                .filter(f -> !f.runcRefusesBind() || (f.pressureResource() != null ? pressure : vmstat)).toList();
        List<String> all = new ArrayList<>(flags(source, files));
        if (!noSysinfo) sysinfoRuntime(source).ifPresent(all::add);
        System.out.println(String.join(" ", all));
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

    /**
     * {@code --runtime proclens} when the daemon of {@code source} takes seccomp listeners and Docker (the docker CLI's,
     * DOCKER_HOST's) knows the runtime; otherwise nothing, and a line on stderr says why.
     */
    private static Optional<String> sysinfoRuntime(Path source) {
        if (!Files.exists(RunFiles.seccompSocket(source))) {
            System.err.println("proclens: note: no sysinfo(2) flag: the daemon of " + source + " does not serve it");
            return Optional.empty();
        }
        String runtimes;
        try {
            Process docker = new ProcessBuilder("docker", "info", "--format", "{{json .Runtimes}}")
                    .redirectErrorStream(true).start();
            docker.getOutputStream().close();
            if (!docker.waitFor(10, TimeUnit.SECONDS)) {
                docker.destroyForcibly();
                throw new IOException("docker info did not answer in 10 s");
            }
            runtimes = new String(docker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("proclens: note: no sysinfo(2) flag: cannot ask docker for its runtimes: " + e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        if (!runtimes.contains("\"" + RUNTIME + "\"")) {
            System.err.println("proclens: note: no sysinfo(2) flag: Docker has no runtime \"" + RUNTIME + "\"; register"
                    + " proclens-runc (docs/operations.md, sysinfo) to give containers their own sysinfo(2)");
            return Optional.empty();
        }
        return Optional.of("--runtime " + RUNTIME);
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
