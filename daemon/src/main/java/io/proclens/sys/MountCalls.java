package io.proclens.sys;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The calls that move a mount into another mount namespace: the new mount API (open_tree, move_mount,
 * mount_setattr, through syscall(2) since glibc 2.36 has no wrappers for them), setns, unshare, umount2, chroot.
 * Every failure is a {@link CallFailed} naming the call, the path and errno's text.
 */
public final class MountCalls {
    /** The new mount API's numbers are the same on every architecture but alpha (x86-64 and arm64 included). */
    private static final long SYS_OPEN_TREE = 428;
    private static final long SYS_MOVE_MOUNT = 429;
    private static final long SYS_MOUNT_SETATTR = 442;

    public static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int OPEN_TREE_CLONE = 1;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_PATH = 010000000;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    private static final int MNT_DETACH = 2;
    private static final int CLONE_FS = 0x200;
    private static final int CLONE_NEWNS = 0x20000;

    /** mount_setattr(2)'s MOUNT_ATTR_* bits, the per-mount flags mountinfo shows as ro, nosuid, nodev, noexec. */
    public static final long MOUNT_ATTR_RDONLY = 0x1;
    public static final long MOUNT_ATTR_NOSUID = 0x2;
    public static final long MOUNT_ATTR_NODEV = 0x4;
    public static final long MOUNT_ATTR_NOEXEC = 0x8;

    // syscall(2) is variadic after the number; every argument is passed as a long, the width the kernel reads.
    private static final MethodHandle SYSCALL_3 = Libc.withErrno("syscall", FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_5 = Libc.withErrno("syscall", FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle OPEN = Libc.withErrno("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle UNSHARE = Libc.withErrno("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = Libc.withErrno("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHDIR = Libc.withErrno("fchdir", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CHROOT = Libc.withErrno("chroot", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle UMOUNT2 = Libc.withErrno("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private MountCalls() {
    }

    /**
     * open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC): a new bind mount of the file or directory at
     * {@code path}, attached to nothing yet; the descriptor it returns is what {@link #moveMount} attaches.
     */
    public static int openTreeClone(String path) throws IOException {
        return (int) Libc.call("open_tree " + path, (state, arena) -> (long) SYSCALL_3.invokeExact(state, SYS_OPEN_TREE,
                (long) AT_FDCWD, arena.allocateFrom(path).address(), (long) (OPEN_TREE_CLONE | O_CLOEXEC)));
    }

    /**
     * mount_setattr(fd, "", AT_EMPTY_PATH) setting the MOUNT_ATTR_* bits {@code set} and clearing {@code clear} on the
     * mount behind {@code treeFd}.
     */
    public static void setAttributes(int treeFd, long set, long clear) throws IOException {
        if (set == 0 && clear == 0) return;
        Libc.call("mount_setattr", (state, arena) -> {
            // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }: 32 bytes, the size passed.
            MemorySegment attr = arena.allocate(32, 8);
            attr.set(JAVA_LONG, 0, set);
            attr.set(JAVA_LONG, 8, clear);
            return (long) SYSCALL_5.invokeExact(state, SYS_MOUNT_SETATTR, (long) treeFd,
                    arena.allocateFrom("").address(), (long) AT_EMPTY_PATH, attr.address(), 32L);
        });
    }

    /** move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH): attaches the mount behind {@code treeFd}. */
    public static void moveMount(int treeFd, String target) throws IOException {
        Libc.call("move_mount to " + target, (state, arena) -> (long) SYSCALL_5.invokeExact(state, SYS_MOVE_MOUNT,
                (long) treeFd, arena.allocateFrom("").address(), (long) AT_FDCWD, arena.allocateFrom(target).address(),
                (long) MOVE_MOUNT_F_EMPTY_PATH));
    }

    /** open(path, O_RDONLY | O_CLOEXEC), e.g. of /proc/PID/ns/mnt. */
    public static int openReadOnly(String path) throws IOException {
        return open(path, O_RDONLY | O_CLOEXEC);
    }

    /** open(path, O_PATH | O_DIRECTORY | O_CLOEXEC): a handle on a directory, e.g. /proc/PID/root, to fchdir to. */
    public static int openDirectoryPath(String path) throws IOException {
        return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }

    private static int open(String path, int flags) throws IOException {
        return (int) Libc.call("open " + path,
                (state, arena) -> (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, 0));
    }

    public static void close(int fd) {
        Libc.close(fd);
    }

    /**
     * unshare(CLONE_FS): gives the calling thread its own root and working directory, which setns into a mount
     * namespace requires (the kernel refuses a thread that shares them with others, EINVAL). Only this thread's
     * view changes: the JVM's other threads keep the host's.
     */
    public static void unshareFs() throws IOException {
        Libc.call("unshare(CLONE_FS)", (state, arena) -> (int) UNSHARE.invokeExact(state, CLONE_FS));
    }

    /** setns(fd, CLONE_NEWNS): moves the calling thread into the mount namespace {@code fd}, its root and cwd to that namespace's root. */
    public static void enterMountNamespace(int fd) throws IOException {
        Libc.call("setns(CLONE_NEWNS)", (state, arena) -> (int) SETNS.invokeExact(state, fd, CLONE_NEWNS));
    }

    /** fchdir(fd) then chroot("."): the calling thread's root becomes the directory {@code fd}. */
    public static void changeRoot(int directoryFd) throws IOException {
        Libc.call("fchdir", (state, arena) -> (int) FCHDIR.invokeExact(state, directoryFd));
        Libc.call("chroot", (state, arena) -> (int) CHROOT.invokeExact(state, arena.allocateFrom(".")));
    }

    /** umount2(path, MNT_DETACH): detaches the topmost mount at {@code path}. */
    public static void detach(String path) throws IOException {
        Libc.call("umount2 " + path, (state, arena) -> (int) UMOUNT2.invokeExact(state, arena.allocateFrom(path), MNT_DETACH));
    }
}
