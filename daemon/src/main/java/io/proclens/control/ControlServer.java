package io.proclens.control;

import io.proclens.metrics.JvmMemory;
import io.proclens.render.Options;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The daemon's end of `proclens options`: a unix socket, readable and writable by root only, that answers one
 * line per connection. "get" answers the options; "set enable-cfs=true ..." changes them, then answers them.
 * "stats" answers the daemon's counts and the JVM's memory as NAME=NUMBER pairs (for soak tests and diagnostics);
 * "stats gc" runs a full collection first, so that heap_after_gc is the live heap now. A bad request gets
 * "error: ..." and changes nothing.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());
    /** A request longer than this is refused unread: nothing valid is that long. */
    static final int MAX_REQUEST = 1024;

    private final Path socket;
    private final ServerSocketChannel server;
    private final Supplier<Options> current;
    private final Consumer<Options> change;
    private final Supplier<? extends SequencedMap<String, Long>> counts;
    private final Thread acceptor;

    private ControlServer(Path socket, ServerSocketChannel server, Supplier<Options> current, Consumer<Options> change,
                          Supplier<? extends SequencedMap<String, Long>> counts) {
        this.socket = socket;
        this.server = server;
        this.current = current;
        this.change = change;
        this.counts = counts;
        this.acceptor = Thread.ofPlatform().daemon().name("control").unstarted(this::serve);
    }

    /**
     * Listens on {@code socket} (replacing a stale one) and serves requests on a thread of its own.
     *
     * @param counts the daemon's counts that "stats" answers, in their order (read on the control thread while
     *               the loop threads serve: each count must be safe to read from any thread)
     */
    public static ControlServer start(Path socket, Supplier<Options> current, Consumer<Options> change,
                                      Supplier<? extends SequencedMap<String, Long>> counts) throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket); // left by a daemon that was killed
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        ControlServer control = new ControlServer(socket, server, current, change, counts);
        control.acceptor.start();
        return control;
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                answer(client);
            } catch (IOException e) {
                if (server.isOpen()) LOG.warning("control socket: " + e.getMessage());
            }
        }
    }

    /** Reads one line (until newline or the client's end of output), answers it. Only root can connect. */
    private void answer(SocketChannel client) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST + 1);
        while (request.hasRemaining() && client.read(request) >= 0) {
            if (new String(request.array(), 0, request.position(), StandardCharsets.UTF_8).indexOf('\n') >= 0) break;
        }
        boolean tooLong = !request.hasRemaining();
        if (tooLong) drain(client); // so that the client reads our error rather than a reset connection
        String reply = respond(tooLong ? null : new String(request.array(), 0, request.position(), StandardCharsets.UTF_8));
        client.write(ByteBuffer.wrap((reply + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads and drops what the client still sends, up to 64 KiB. */
    private static void drain(SocketChannel client) throws IOException {
        ByteBuffer rest = ByteBuffer.allocate(4096);
        for (int total = 0; total < 64 * 1024; total += rest.position(), rest.clear()) {
            if (client.read(rest) < 0) return;
        }
    }

    /** The reply to one request line; changes the options on a valid "set". */
    String respond(String request) {
        if (request == null) return "error: request longer than " + MAX_REQUEST + " bytes";
        String line = request.strip();
        if (line.equals("get")) return current.get().toString();
        if (line.equals("stats")) return stats(false);
        if (line.equals("stats gc")) return stats(true);
        if (line.startsWith("set ")) {
            try {
                Options changed = OptionChanges.apply(current.get(), line.substring(4));
                change.accept(changed);
                LOG.info("options changed: " + changed);
                return changed.toString();
            } catch (IllegalArgumentException e) {
                return "error: " + e.getMessage();
            }
        }
        return "error: unknown request '" + line + "' (get, set NAME=true|false ..., stats, stats gc)";
    }

    /** The daemon's counts, then the JVM's memory ({@link JvmMemory}). */
    private String stats(boolean collectFirst) {
        if (collectFirst) System.gc(); // a full collection with SerialGC: a few ms for a live set of a few MiB
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, Long> count : counts.get().entrySet()) {
            line.append(count.getKey()).append('=').append(count.getValue()).append(' ');
        }
        JvmMemory memory = JvmMemory.now();
        line.append("heap_after_gc=").append(memory.heapAfterGc()).append(" heap_used=").append(memory.heapUsed())
                .append(" metaspace=").append(memory.metaspace());
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
