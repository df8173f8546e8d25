package io.proclens.fs;

/** Renders a virtual file as the process {@code callerPid} should see it. */
@FunctionalInterface
public interface Renderer {
    String render(VirtualFile file, int callerPid) throws FsException;
}
