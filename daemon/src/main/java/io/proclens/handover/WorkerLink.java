package io.proclens.handover;

import io.proclens.sys.FdChannel;
import io.proclens.mounts.RunFiles;
import io.proclens.sys.Posix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/** A worker's connection to its holder: it receives the descriptor here and hears when to retire or stop. */
public final class WorkerLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkerLink.class.getName());

    private final FdChannel channel;
    private final int worker;

    private WorkerLink(FdChannel channel, int worker) {
        this.channel = channel;
        this.worker = worker;
    }

    /** What the holder handed over: the mounted descriptor (now ours) and the kernel's FUSE_INIT request. */
    public record Handed(int fd, byte[] init, boolean answerInit) {
    }

    public static WorkerLink connect(Path socket, int worker) throws IOException {
        FdChannel channel = FdChannel.connect(socket);
        try {
            Message.of(Message.Kind.HELLO, worker, Long.toString(ProcessHandle.current().pid())).sendOn(channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new WorkerLink(channel, worker);
    }

    /** Waits (a standby may wait long) for the descriptor; empty when told to go instead, or the holder is gone. */
    public Optional<Handed> awaitDescriptor() throws IOException {
        Message message = Message.receiveFrom(channel);
        if (message == null || message.kind() != Message.Kind.TAKE) {
            if (message != null && message.fd() >= 0) Posix.close(message.fd());
            return Optional.empty();
        }
        if (message.fd() < 0) throw new IOException("the holder's TAKE came without a descriptor");
        return Optional.of(new Handed(message.fd(), message.init(), message.answerInit()));
    }

    public void serving() throws IOException {
        Message.of(Message.Kind.SERVING, worker, "").sendOn(channel);
    }

    /** What the holder hands a worker for sysinfo(2); each descriptor is the callee's to keep or close. */
    public interface Sysinfo {
        /** The memfd of this worker's in-flight slot: comes first. */
        void slot(int memfd);

        /** A container's seccomp listener, known to the holder as {@code key}. */
        void listener(long key, int fd, String container);

        /** The slot memfd of a dead worker's agent, after the listeners. */
        void recover(int memfd);
    }

    /** Tells the holder that listener {@code key} has no process left (its copy can go too). */
    public void closed(long key) {
        try {
            Message.closed(worker, key).sendOn(channel);
        } catch (IOException e) {
            LOG.fine("telling the holder of a closed listener: " + e.getMessage());
        }
    }

    /**
     * Listens on a thread of its own: RETIRE runs {@code retire}, STOP runs {@code stop}, sysinfo's messages go to
     * {@code sysinfo}. The end of the connection means the holder is gone (killed): then {@code retire} runs too,
     * since a worker must not outlive its holder (the holder is the daemon, whose death ends the mount, as it always
     * did).
     */
    public void listen(Runnable retire, Runnable stop, Sysinfo sysinfo) {
        Thread.ofPlatform().daemon().name("holder-link").start(() -> {
            try {
                for (Message message; (message = Message.receiveFrom(channel)) != null; ) {
                    switch (message.kind()) {
                        case SLOT -> sysinfo.slot(message.fd());
                        case LISTENER -> sysinfo.listener(message.key(), message.fd(), message.container());
                        case RECOVER -> sysinfo.recover(message.fd());
                        default -> { }
                    }
                    if (message.kind() == Message.Kind.RETIRE) {
                        retire.run();
                        return;
                    }
                    if (message.kind() == Message.Kind.STOP) {
                        stop.run();
                        return;
                    }
                }
                LOG.warning("the holder is gone; exiting");
            } catch (IOException e) {
                LOG.warning("the holder's connection failed: " + e.getMessage() + "; exiting");
            }
            retire.run();
        });
    }

    @Override
    public void close() {
        channel.close();
    }

    /** {@code proclens upgrade}: asks the holder of {@code mountpoint} to hand over to a worker from {@code jar}. */
    public static String requestUpgrade(Path mountpoint, Path jar) throws IOException {
        Path socket = RunFiles.holderSocket(mountpoint);
        try (FdChannel channel = FdChannel.connect(socket)) {
            Message.of(Message.Kind.UPGRADE, 0, jar == null ? "" : jar.toAbsolutePath().toString()).sendOn(channel);
            Message answer = Message.receiveFrom(channel);
            if (answer == null) throw new IOException("the holder closed the connection without an answer");
            if (answer.kind() != Message.Kind.DONE) throw new IOException(answer.text());
            return answer.text();
        } catch (io.proclens.sys.CallFailed e) {
            throw new IOException("no proclens holder at " + socket + " (" + e.getMessage() + ")");
        }
    }
}
