package io.proclens.fuse;

import io.proclens.bindings.LibFuse;
import io.proclens.fs.FsException;

/** The errno values the session answers, from the generated libc constants. */
final class Errno {
    static final int ENOENT = LibFuse.ENOENT();
    static final int ENOTDIR = LibFuse.ENOTDIR();
    static final int EISDIR = LibFuse.EISDIR();
    static final int EROFS = LibFuse.EROFS();
    static final int EACCES = LibFuse.EACCES();
    static final int EBADF = LibFuse.EBADF();
    static final int EIO = LibFuse.EIO();
    static final int EINVAL = LibFuse.EINVAL();
    static final int ENOSYS = LibFuse.ENOSYS();
    static final int EINTR = LibFuse.EINTR();
    static final int EAGAIN = LibFuse.EAGAIN();
    static final int ENODEV = LibFuse.ENODEV();

    private Errno() {
    }

    static int of(FsException.Failure failure) {
        return switch (failure) {
            case NOT_FOUND -> ENOENT;
            case NOT_A_DIRECTORY -> ENOTDIR;
            case IS_A_DIRECTORY -> EISDIR;
            case READ_ONLY -> EROFS;
            case ACCESS -> EACCES;
            case NOT_A_SYMLINK -> EINVAL;
            case BAD_HANDLE -> EBADF;
            case IO -> EIO;
        };
    }
}
