package io.proclens.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /metrics}: the registry's scrape, on the JDK's HTTP server with one thread of its own (a scrape reads
 * counters, never a loop thread's lock, so it cannot slow a read).
 *
 * <p>It binds from a thread of its own, so that a worker serves its mount without waiting for it. In a hand-over
 * the previous worker may still hold the address (an upgrade's retiring worker finishes its requests first): a bind
 * that fails is tried again every {@code pause} for {@code retryFor}, said once in the log, and then given up with
 * a warning; serving the mount goes on either way. The JDK's server sockets have SO_REUSEADDR on Linux, so the
 * connections a killed worker leaves in TIME_WAIT do not hold the address.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MetricsEndpoint.class.getName());
    /** Longer than an upgrade's retiring worker takes to exit (about a second). */
    public static final Duration RETRY_FOR = Duration.ofSeconds(10);
    static final Duration PAUSE = Duration.ofMillis(200);
    public static final String PATH = "/metrics";
    private static final String PLAIN = "text/plain; charset=utf-8";

    private final ListenAddress address;
    private final MetricsRegistry registry;
    private final ExecutorService executor;
    private final Thread binder;
    private HttpServer server; // guarded by this
    private boolean closed;    // guarded by this

    private MetricsEndpoint(ListenAddress address, MetricsRegistry registry, Duration retryFor, Duration pause) {
        this.address = address;
        this.registry = registry;
        this.executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("metrics").factory());
        // A daemon thread: the server's dispatcher thread, started from it, is a daemon too.
        this.binder = Thread.ofPlatform().daemon().name("metrics-bind").unstarted(() -> bind(retryFor, pause));
    }

    /** Starts binding {@code address} (see the class comment) and returns at once. */
    public static MetricsEndpoint start(ListenAddress address, MetricsRegistry registry) {
        return start(address, registry, RETRY_FOR, PAUSE);
    }

    static MetricsEndpoint start(ListenAddress address, MetricsRegistry registry, Duration retryFor, Duration pause) {
        MetricsEndpoint endpoint = new MetricsEndpoint(address, registry, retryFor, pause);
        endpoint.binder.start();
        return endpoint;
    }

    /**
     * Binds {@code address} once and lets it go: what {@code proclens mount} checks before it mounts, so that an
     * address taken by another program is the user's error at once, not a warning in a worker's log.
     */
    public static void checkBindable(ListenAddress address) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(address.resolve()); // as the HTTP server will: SO_REUSEADDR is on by default
        }
    }

    private void bind(Duration retryFor, Duration pause) {
        long deadline = System.nanoTime() + retryFor.toNanos();
        boolean said = false;
        while (true) {
            try {
                HttpServer bound = HttpServer.create(address.resolve(), 16);
                bound.createContext("/", this::answer);
                bound.setExecutor(executor);
                synchronized (this) {
                    if (closed) {
                        bound.stop(0);
                        return;
                    }
                    bound.start();
                    server = bound;
                }
                String url = address.host() == null ? "http://*:" + address.port() + PATH + " (every interface)"
                        : "http://" + address + PATH;
                LOG.info("metrics: serving " + url + (said ? " (it was in use before)" : ""));
                return;
            } catch (BindException e) {
                if (System.nanoTime() - deadline > 0) {
                    LOG.warning("metrics: " + address + " still not bindable after " + retryFor.toSeconds() + " s ("
                            + e.getMessage() + "): this worker serves no metrics");
                    return;
                }
                if (!said) { // expected in an upgrade: not a warning yet
                    LOG.info("metrics: " + address + ": " + e.getMessage() + "; trying again for up to "
                            + retryFor.toSeconds() + " s (in a hand-over the previous worker may still hold it)");
                    said = true;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warning("metrics: cannot serve " + address + " (" + e.getMessage()
                        + "): this worker serves no metrics");
                return;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return; // closed
            }
            synchronized (this) {
                if (closed) return;
            }
        }
    }

    /** Waits until binding succeeded or was given up; for tests. */
    void awaitBinding() throws InterruptedException {
        binder.join();
    }

    /** The address bound, or null before binding (or after giving up). */
    public synchronized InetSocketAddress boundAddress() {
        return server == null ? null : server.getAddress();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                reply(exchange, 404, PLAIN, "proclens: the metrics are at " + PATH + "\n", method);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, PLAIN, "GET or HEAD\n", method);
                return;
            }
            String scrape;
            try {
                scrape = registry.scrape();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "metrics: a count could not be read, answering 500", e);
                reply(exchange, 500, PLAIN, "a count could not be read: " + e + "\n", method);
                return;
            }
            reply(exchange, 200, TextFormat.CONTENT_TYPE, scrape, method);
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String body, String method)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops listening at once: a retiring worker lets its successor have the address. */
    @Override
    public void close() {
        HttpServer stopping;
        synchronized (this) {
            closed = true;
            stopping = server;
            server = null;
        }
        binder.interrupt();
        if (stopping != null) stopping.stop(0);
        executor.shutdownNow();
    }
}
