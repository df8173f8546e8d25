package io.proclens.webhook;

import io.proclens.fs.VirtualFile;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the webhook adds to a pod.
 *
 * @param hostDir   the node's proclens mountpoint, the source of the hostPath volumes
 * @param podDir    where the mountpoint itself is mounted in every container (HostToContainer), so that a new
 *                  mount after a daemon restart shows up there
 * @param files     the files bound over the container's own
 */
public record Injection(String hostDir, String podDir, List<VirtualFile> files) {
    public static final String DEFAULT_DIR = "/var/lib/proclens";
    /** Pod annotation: "true" opts a pod in, "false" opts it out (also in an opted-in namespace). */
    public static final String ANNOTATION = "proclens.io/inject";
    /** Prefix of our volume names; a pod that already has one of them is not given it again. */
    static final String VOLUME_PREFIX = "proclens-";
    static final String DIR_VOLUME = VOLUME_PREFIX + "mount";

    public Injection {
        hostDir = absolute(hostDir, "host directory");
        podDir = absolute(podDir, "pod directory");
        files = List.copyOf(files);
    }

    /**
     * The files runc lets a container have bound (see {@link VirtualFile#runcRefusesBind()}), and the pressure
     * files when asked.
     */
    public static Injection of(String hostDir, String podDir, boolean pressure) {
        return new Injection(hostDir, podDir, Arrays.stream(VirtualFile.values())
                .filter(f -> !f.runcRefusesBind() || (pressure && f.pressureResource() != null)).toList());
    }

    /** A volume name for a file: a DNS-1123 label, e.g. proclens-proc-meminfo. */
    static String volumeName(VirtualFile file) {
        return VOLUME_PREFIX + file.path().replace('/', '-').replace('_', '-').toLowerCase();
    }

    String sourceOf(VirtualFile file) {
        return hostDir + "/" + file.path();
    }

    private static String absolute(String dir, String what) {
        Objects.requireNonNull(dir, what);
        String d = dir.replaceAll("/+$", "");
        if (!d.startsWith("/") || d.contains("/../") || d.endsWith("/..") || d.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " must be an absolute path: " + dir);
        }
        return d;
    }
}
