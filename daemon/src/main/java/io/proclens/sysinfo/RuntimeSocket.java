package io.proclens.sysinfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proclens.sys.FdChannel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The socket an OCI runtime (runc 1.1+, crun) connects to when a container's seccomp profile names it as its
 * {@code listenerPath}: it sends the container's state as JSON ({@code {"fds": ["seccompFd"], "pid": ..., "state":
 * {"id": ...}}}) with the listener descriptor beside it (SCM_RIGHTS), and closes. Each descriptor goes to
 * {@code received}, which owns it from then on. One thread accepts; a connection is read once (the runtime sends
 * everything in one message), so a peer that sends nothing cannot hold it for longer than its own connect.
 */
public final class RuntimeSocket implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RuntimeSocket.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A listener descriptor and the container it came with ("?" when its state did not say). */
    @FunctionalInterface
    public interface Received {
        void listener(int fd, String container);
    }

    private final FdChannel.Listener socket;
    private final Thread thread;
    private volatile boolean closing;

    private RuntimeSocket(FdChannel.Listener socket, Received received) {
        this.socket = socket;
        this.thread = Thread.ofPlatform().name("sysinfo-runtime-socket").daemon().unstarted(() -> accept(received));
    }

    /** Listens at {@code path} (root only: the runtime runs as root) and hands over every listener received. */
    public static RuntimeSocket open(Path path, Received received) throws IOException {
        RuntimeSocket runtimeSocket = new RuntimeSocket(FdChannel.Listener.bindStream(path), received);
        runtimeSocket.thread.start();
        return runtimeSocket;
    }

    public Path path() {
        return socket.path();
    }

    private void accept(Received received) {
        while (!closing) {
            try (FdChannel connection = socket.accept()) {
                FdChannel.Received message = connection.receive();
                if (message == null) continue;
                if (message.fd() < 0) {
                    LOG.warning("a runtime connected to " + socket.path() + " and sent no seccomp listener: "
                            + abbreviated(message.text()));
                    continue;
                }
                String container = containerOf(message.text());
                LOG.fine("seccomp listener of container " + container);
                received.listener(message.fd(), container);
            } catch (IOException | RuntimeException e) {
                if (!closing) LOG.warning("runtime socket " + socket.path() + ": " + e.getMessage());
            }
        }
    }

    /** The container's id from the runtime's state, "?" when it has none (or is not JSON). */
    static String containerOf(String state) {
        try {
            JsonNode id = JSON.readTree(state).path("state").path("id");
            return id.isTextual() ? id.asText() : "?";
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @Override
    public void close() throws IOException {
        closing = true;
        socket.close(); // shuts the socket down: accept() fails and the thread ends
    }
}
