package io.proclens.fuse;

import java.lang.foreign.MemorySegment;

/** A loop thread of a {@link FuseSession}; with cloned fds it carries the fd its replies must go to. */
final class LoopThread extends Thread {
    /** This thread's clone of /dev/fuse, or -1; written and read only by this thread. */
    int device = -1;
    /** Where this thread's libc calls leave errno. */
    MemorySegment errno;

    LoopThread(String name, Runnable body) {
        super(body, name);
    }
}
