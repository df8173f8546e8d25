package io.proclens.cgroup;

/**
 * The process (or its pid namespace's init) does not exist any more, or never did. Always of kind
 * {@link CgroupException.Kind#NO_SUCH_PROCESS}.
 */
public final class NoSuchProcessException extends CgroupException {
    private static final long serialVersionUID = 1L;

    private final int pid;

    public NoSuchProcessException(int pid, String message) {
        super(Kind.NO_SUCH_PROCESS, message);
        this.pid = pid;
    }

    /** The pid that was asked about. */
    public int pid() {
        return pid;
    }
}
