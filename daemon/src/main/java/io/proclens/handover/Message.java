package io.proclens.handover;

import io.proclens.sys.FdChannel;
import io.proclens.sys.Posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One message between the holder and a worker, or an upgrade client: a kind, the worker's number and a payload.
 * TAKE carries the /dev/fuse descriptor beside it, and as payload a flag (whether the kernel still waits for the
 * answer to its FUSE_INIT) and that INIT request.
 */
record Message(Kind kind, int worker, byte[] payload, int fd) {
    enum Kind {
        /** worker -> holder, first: "I am worker N and wait for the descriptor". */
        HELLO,
        /** holder -> worker: the descriptor; serve it. */
        TAKE,
        /** worker -> holder: INIT processed, loops running. */
        SERVING,
        /** holder -> worker: a successor serves; stop without unmounting and exit. */
        RETIRE,
        /** holder -> worker: unmount and exit (the daemon stops). */
        STOP,
        /** client -> holder: start a worker from the jar in the payload (empty: the current jar) and hand over. */
        UPGRADE,
        /** holder -> client: the upgrade is done; payload says what happened. */
        DONE,
        /** holder -> client: the upgrade failed; payload says why. */
        FAILED,
        /** holder -> worker: answer sysinfo(2): the memfd of the agent's in-flight slot comes beside it. */
        SLOT,
        /** holder -> worker: a container's seccomp listener beside it; payload its key (8 bytes) and container. */
        LISTENER,
        /** holder -> worker: the slot memfd of a dead worker's agent: answer the call it had taken, if still due. */
        RECOVER,
        /** worker -> holder: the listener of this key (payload) has no process left and was closed here. */
        CLOSED
    }

    static Message of(Kind kind, int worker, String text) {
        return new Message(kind, worker, text.getBytes(StandardCharsets.UTF_8), -1);
    }

    String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    byte[] encode() {
        return ByteBuffer.allocate(5 + payload.length).put((byte) kind.ordinal()).putInt(worker).put(payload).array();
    }

    static Message decode(FdChannel.Received received) throws IOException {
        byte[] bytes = received.bytes();
        if (bytes.length < 5 || bytes[0] < 0 || bytes[0] >= Kind.values().length) {
            Posix.close(received.fd());
            throw new IOException("malformed hand-over message of " + bytes.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        Kind kind = Kind.values()[in.get()];
        int worker = in.getInt();
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        return new Message(kind, worker, payload, received.fd());
    }

    void sendOn(FdChannel channel) throws IOException {
        channel.send(encode(), fd);
    }

    /** The next message on {@code channel}, or null at its end. */
    static Message receiveFrom(FdChannel channel) throws IOException {
        FdChannel.Received received = channel.receive();
        return received == null ? null : decode(received);
    }

    static Message listener(int worker, long key, String container, int fd) {
        byte[] name = container.getBytes(StandardCharsets.UTF_8);
        return new Message(Kind.LISTENER, worker, ByteBuffer.allocate(8 + name.length).putLong(key).put(name).array(), fd);
    }

    static Message closed(int worker, long key) {
        return new Message(Kind.CLOSED, worker, ByteBuffer.allocate(8).putLong(key).array(), -1);
    }

    /** LISTENER's and CLOSED's key. */
    long key() {
        return ByteBuffer.wrap(payload).getLong(0);
    }

    /** LISTENER's container. */
    String container() {
        return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
    }

    static Message take(int worker, boolean answerInit, byte[] init, int fd) {
        byte[] payload = new byte[1 + init.length];
        payload[0] = (byte) (answerInit ? 1 : 0);
        System.arraycopy(init, 0, payload, 1, init.length);
        return new Message(Kind.TAKE, worker, payload, fd);
    }

    boolean answerInit() {
        return payload[0] == 1;
    }

    byte[] init() {
        return java.util.Arrays.copyOfRange(payload, 1, payload.length);
    }
}
