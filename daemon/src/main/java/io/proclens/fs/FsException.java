package io.proclens.fs;

/**
 * An answer that is a failure, not a result: the session replies with the errno of its {@link Failure}.
 * The tree names failures; only the session, which owns the native constants, turns them into numbers.
 */
public final class FsException extends Exception {
    /** The failures the tree can answer. */
    public enum Failure {
        NOT_FOUND,
        NOT_A_DIRECTORY,
        IS_A_DIRECTORY,
        READ_ONLY,
        ACCESS,
        NOT_A_SYMLINK,
        BAD_HANDLE,
        IO
    }

    private final Failure failure;

    public FsException(Failure failure, String message) {
        super(message, null, false, false); // expected answers (a missing name): no stack trace to fill
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
