package io.proclens.cgroup;

/**
 * The one unchecked exception of this package: a cgroup or process could not be read, with a {@link Kind}
 * that tells the caller what to do (answer an errno, fall back to the host's view, log once and count).
 * Nothing in this package throws anything else for bad input or a vanished process or cgroup.
 */
public class CgroupException extends RuntimeException {

    /** Why the read failed. */
    public enum Kind {
        /** The cgroup has no such controller (not mounted, not enabled), or the controller's files are absent. */
        NO_CONTROLLER,
        /** The cgroup directory does not exist (the cgroup was removed, possibly while it was being read). */
        GONE,
        /** A kernel file had content we do not understand (non-numeric, empty, negative, out of range...). */
        MALFORMED,
        /** The process vanished, or its pid namespace's init could not be found. See {@link NoSuchProcessException}. */
        NO_SUCH_PROCESS,
        /** Any other I/O error (permission denied, ...). The cause holds the {@link java.io.IOException}. */
        IO_ERROR
    }

    private static final long serialVersionUID = 1L;

    private final Kind kind;

    public CgroupException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public CgroupException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
