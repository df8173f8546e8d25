package io.proclens.fs;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** A path walked and a file read through a {@link Filesystem} as one process would: for the per-reader trees. */
final class ReaderWalk {
    private ReaderWalk() {
    }

    /** The attributes of {@code path} below the root, each name looked up for {@code pid}. */
    static NodeAttr walk(Filesystem fs, String path, int pid) throws FsException {
        long ino = Filesystem.ROOT;
        NodeAttr attr = null;
        for (String name : path.split("/")) {
            attr = fs.lookup(ino, name, pid);
            ino = attr.ino();
        }
        return attr;
    }

    /** The whole file at {@code path} as {@code pid} reads it: open, one read from 0, release. */
    static String read(Filesystem fs, String path, int pid) throws FsException {
        long ino = walk(fs, path, pid).ino();
        long handle = fs.open(ino, 0);
        try {
            return new String(fs.read(ino, handle, 0, 4096, pid).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } finally {
            fs.release(handle);
        }
    }
}
