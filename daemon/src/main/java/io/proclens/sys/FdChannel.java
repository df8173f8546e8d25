package io.proclens.sys;


import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One end of a unix SOCK_SEQPACKET connection that carries whole messages, each optionally with one file
 * descriptor (SCM_RIGHTS). The JDK's unix-domain channels cannot pass descriptors, hence our own sendmsg/recvmsg.
 * Received descriptors are close-on-exec, so a worker we start never inherits one by accident.
 *
 * <p>Layouts are the LP64 Linux ones (x86-64, aarch64): msghdr is 56 bytes, cmsghdr a 16-byte header.
 */
public final class FdChannel implements AutoCloseable {
    /** Far more than any message of ours (a FUSE_INIT request is 104 bytes). */
    static final int MAX_MESSAGE = 64 * 1024;

    private static final long SOCKADDR_UN_SIZE = 110; // sa_family_t + char sun_path[108]
    private static final int SUN_PATH_MAX = 107;
    private static final long CMSG_HEADER = 16;       // size_t cmsg_len; int cmsg_level; int cmsg_type
    private static final long CMSG_SPACE_ONE_FD = 24; // CMSG_SPACE(sizeof(int)): header + 4 bytes, 8-aligned
    private static final long CMSG_LEN_ONE_FD = 20;   // CMSG_LEN(sizeof(int))

    private final int fd;

    private FdChannel(int fd) {
        this.fd = fd;
    }

    /** A received message and the descriptor that came with it (-1 when none; the caller owns it). */
    public record Received(byte[] bytes, int fd) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** A listening socket at {@code path} (a stale one is replaced); accept() gives the connections. */
    public static final class Listener implements AutoCloseable {
        private final int fd;
        private final Path path;

        private Listener(int fd, Path path) {
            this.fd = fd;
            this.path = path;
        }

        public static Listener bind(Path path) throws IOException {
            return bind(path, Posix.SOCK_SEQPACKET);
        }

        /**
         * A listening SOCK_STREAM socket, for peers that are not ours (an OCI runtime): a connection's
         * {@link FdChannel#receive()} then gives its bytes in pieces, until null at its end.
         */
        public static Listener bindStream(Path path) throws IOException {
            return bind(path, Posix.SOCK_STREAM);
        }

        private static Listener bind(Path path, int type) throws IOException {
            java.nio.file.Files.createDirectories(path.getParent());
            java.nio.file.Files.deleteIfExists(path); // left by a holder that was killed
            int fd = Posix.socket(Posix.AF_UNIX, type | Posix.SOCK_CLOEXEC);
            try (Arena arena = Arena.ofConfined()) {
                Posix.bind(fd, address(arena, path));
                java.nio.file.Files.setPosixFilePermissions(path,
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                Posix.listen(fd, 16);
                return new Listener(fd, path);
            } catch (IOException | RuntimeException e) {
                Posix.close(fd);
                throw e;
            }
        }

        /** Blocks until a peer connects; fails once the listener is closed. */
        public FdChannel accept() throws IOException {
            return new FdChannel(Posix.accept(fd));
        }

        public Path path() {
            return path;
        }

        @Override
        public void close() throws IOException {
            Posix.shutdown(fd);
            Posix.close(fd);
            java.nio.file.Files.deleteIfExists(path);
        }
    }

    public static FdChannel connect(Path path) throws IOException {
        return connect(path, Posix.SOCK_SEQPACKET);
    }

    /** A connection to a {@link Listener#bindStream} socket. */
    public static FdChannel connectStream(Path path) throws IOException {
        return connect(path, Posix.SOCK_STREAM);
    }

    private static FdChannel connect(Path path, int type) throws IOException {
        int fd = Posix.socket(Posix.AF_UNIX, type | Posix.SOCK_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            Posix.connect(fd, address(arena, path));
            return new FdChannel(fd);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    private static MemorySegment address(Arena arena, Path path) throws IOException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > SUN_PATH_MAX) throw new IOException("socket path too long: " + path);
        MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) Posix.AF_UNIX);
        MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
        return address;
    }

    public void send(byte[] bytes) throws IOException {
        send(bytes, -1);
    }

    /** Sends {@code bytes} as one message, with a duplicate of {@code passFd} for the peer when it is >= 0. */
    public void send(byte[] bytes, int passFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment iov = iovec(arena, data, bytes.length);
            MemorySegment control = MemorySegment.NULL;
            long controlLength = 0;
            if (passFd >= 0) {
                control = arena.allocate(CMSG_SPACE_ONE_FD, 8);
                control.set(ValueLayout.JAVA_LONG, 0, CMSG_LEN_ONE_FD);
                control.set(ValueLayout.JAVA_INT, 8, Posix.SOL_SOCKET);
                control.set(ValueLayout.JAVA_INT, 12, Posix.SCM_RIGHTS);
                control.set(ValueLayout.JAVA_INT, CMSG_HEADER, passFd);
                controlLength = CMSG_SPACE_ONE_FD;
            }
            long sent = Posix.sendmsg(fd, msghdr(arena, iov, control, controlLength));
            if (sent != bytes.length) throw new IOException("sendmsg sent " + sent + " of " + bytes.length + " bytes");
        }
    }

    /** The next message, or null when the peer has closed its end. */
    public Received receive() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(MAX_MESSAGE);
            MemorySegment iov = iovec(arena, data, MAX_MESSAGE);
            MemorySegment control = arena.allocate(CMSG_SPACE_ONE_FD * 4, 8); // room for a stray extra descriptor
            MemorySegment header = msghdr(arena, iov, control, control.byteSize());
            long length = Posix.recvmsg(fd, header);
            int received = descriptorIn(header, control);
            if (length == 0 && received < 0) return null;
            return new Received(data.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), received);
        }
    }

    /** The first SCM_RIGHTS descriptor in the control data; any others are closed (we never send more than one). */
    private static int descriptorIn(MemorySegment header, MemorySegment control) {
        long controlLength = header.get(ValueLayout.JAVA_LONG, 40);
        int found = -1;
        long offset = 0;
        while (offset + CMSG_HEADER <= controlLength) {
            long length = control.get(ValueLayout.JAVA_LONG, offset);
            if (length < CMSG_HEADER) break;
            int level = control.get(ValueLayout.JAVA_INT, offset + 8);
            int type = control.get(ValueLayout.JAVA_INT, offset + 12);
            if (level == Posix.SOL_SOCKET && type == Posix.SCM_RIGHTS) {
                for (long at = offset + CMSG_HEADER; at + 4 <= offset + length; at += 4) {
                    int passed = control.get(ValueLayout.JAVA_INT, at);
                    if (found < 0) found = passed;
                    else Posix.close(passed);
                }
            }
            offset += (length + 7) & ~7L;
        }
        return found;
    }

    private static MemorySegment iovec(Arena arena, MemorySegment data, long length) {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, data);
        iov.set(ValueLayout.JAVA_LONG, 8, length);
        return iov;
    }

    private static MemorySegment msghdr(Arena arena, MemorySegment iov, MemorySegment control, long controlLength) {
        MemorySegment header = arena.allocate(56, 8); // zeroed: no name, no flags
        header.set(ValueLayout.ADDRESS, 16, iov);
        header.set(ValueLayout.JAVA_LONG, 24, 1);
        header.set(ValueLayout.ADDRESS, 32, control);
        header.set(ValueLayout.JAVA_LONG, 40, controlLength);
        return header;
    }

    /** Wakes a thread blocked in {@link #receive()} (it then sees the end of the connection). */
    public void shutdown() {
        Posix.shutdown(fd);
    }

    @Override
    public void close() {
        Posix.close(fd);
    }
}
