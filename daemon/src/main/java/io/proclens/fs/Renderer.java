package io.proclens.fs;

import java.lang.foreign.MemorySegment;

/** Renders a virtual file as the process {@code callerPid} should see it: an immutable snapshot of its bytes. */
@FunctionalInterface
public interface Renderer {
    MemorySegment render(VirtualFile file, int callerPid) throws FsException;

    /** A renderer from a function giving text; for tests. */
    static Renderer ofText(TextRenderer text) {
        return (file, pid) -> Snapshots.of(text.render(file, pid));
    }

    @FunctionalInterface
    interface TextRenderer {
        String render(VirtualFile file, int callerPid) throws FsException;
    }
}
