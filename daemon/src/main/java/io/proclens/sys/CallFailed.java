package io.proclens.sys;

import java.io.IOException;

/** A C library call that failed: the message names the call (and what it was called on) and says errno's text. */
public final class CallFailed extends IOException {
    private final int errno;

    public CallFailed(String call, int errno) {
        super(call + ": " + Libc.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
