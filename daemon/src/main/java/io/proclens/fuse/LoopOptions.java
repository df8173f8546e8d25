package io.proclens.fuse;

/**
 * How the loop threads of a {@link FuseSession} receive requests.
 *
 * @param threads    loop threads, each receiving and processing its own requests
 * @param cloneFd    each thread reads and replies on its own clone of the session's /dev/fuse fd
 * @param splice     libfuse splices requests from /dev/fuse through a pipe (FUSE_CAP_SPLICE_READ)
 * @param spinMicros after a request, poll the fd without sleeping for this long before blocking (0: block at once)
 */
public record LoopOptions(int threads, boolean cloneFd, boolean splice, int spinMicros) {
    public LoopOptions {
        if (threads < 1) throw new IllegalArgumentException("threads " + threads);
        if (spinMicros < 0) throw new IllegalArgumentException("spinMicros " + spinMicros);
        if (cloneFd && splice) throw new IllegalArgumentException("a cloned fd is read without libfuse, so without splice");
    }

    public static LoopOptions threads(int threads) {
        return new LoopOptions(threads, false, false, 0);
    }
}
