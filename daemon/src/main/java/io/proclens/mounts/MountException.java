package io.proclens.mounts;

/** The mount could not be made; the message is one line a user can act on. */
public final class MountException extends Exception {
    public MountException(String message) {
        super(message);
    }
}
