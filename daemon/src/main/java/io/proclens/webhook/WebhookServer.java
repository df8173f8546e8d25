package io.proclens.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Collections;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The webhook's HTTPS endpoint (the JDK's own server: no framework for four paths):
 * <ul>
 *   <li>POST /mutate: a pod is injected when its annotation says "true" (namespaces not labelled);</li>
 *   <li>POST /mutate-namespace: a pod is injected unless its annotation says "false" (labelled namespaces: the
 *       MutatingWebhookConfiguration sends them here with its namespaceSelector, so we need no API access);</li>
 *   <li>GET /healthz (the process answers) and /readyz (its certificate is valid now).</li>
 * </ul>
 * A body that is not an AdmissionReview v1 is answered 400, one over {@link #MAX_BODY} 413; nothing a client sends
 * ends the server.
 */
public final class WebhookServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookServer.class.getName());
    /** The API server's own limit for a request body is 3 MiB; a pod is far smaller. */
    public static final int MAX_BODY = 3 << 20;

    private final HttpsServer server;
    private final ExecutorService executor;
    private final ReloadingKeyManager keys;
    private final PodPatcher patcher;

    private WebhookServer(HttpsServer server, ExecutorService executor, ReloadingKeyManager keys, PodPatcher patcher) {
        this.server = server;
        this.executor = executor;
        this.keys = keys;
        this.patcher = patcher;
    }

    public static WebhookServer start(InetSocketAddress address, ReloadingKeyManager keys, PodPatcher patcher)
            throws IOException, GeneralSecurityException {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[]{keys}, null, null);
        SSLSessionContext sessions = tls.getServerSessionContext();
        // A resumed session skips the key manager and would keep the old certificate.
        keys.onReload(() -> Collections.list(sessions.getIds()).forEach(id -> {
            var session = sessions.getSession(id);
            if (session != null) session.invalidate();
        }));
        HttpsServer server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = tls.getDefaultSSLParameters();
                parameters.setProtocols(new String[]{"TLSv1.3", "TLSv1.2"});
                params.setSSLParameters(parameters);
            }
        });
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        WebhookServer webhook = new WebhookServer(server, executor, keys, patcher);
        server.createContext("/", webhook::handle);
        server.start();
        return webhook;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/healthz" -> send(exchange, 200, "text/plain", "ok\n");
                case "/readyz" -> ready(exchange);
                case "/mutate", "/mutate-namespace" -> mutate(exchange, path.equals("/mutate-namespace"));
                default -> send(exchange, 404, "text/plain", "no such path: " + path + "\n");
            }
        } catch (IOException e) {
            LOG.fine("connection: " + e); // the client went away
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "request failed: " + e, e);
            try {
                send(exchange, 500, "text/plain", "internal error\n");
            } catch (IOException | RuntimeException ignored) {
                // headers were sent already, or the connection is gone: nothing more to say
            }
        }
    }

    private void ready(HttpExchange exchange) throws IOException {
        keys.refresh();
        try {
            keys.certificate().checkValidity();
            send(exchange, 200, "text/plain", "ok\n");
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            send(exchange, 503, "text/plain", "the serving certificate is not valid now: " + e.getMessage() + "\n");
        }
    }

    private void mutate(HttpExchange exchange, boolean namespaceOptedIn) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            send(exchange, 405, "text/plain", "POST an AdmissionReview\n");
            return;
        }
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > MAX_BODY) {
            tooLarge(exchange);
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1); // chunked bodies have no length: read one byte past the limit
        }
        if (body.length > MAX_BODY) {
            tooLarge(exchange);
            return;
        }
        try {
            AdmissionReviews.Answer answer = AdmissionReviews.answer(body, namespaceOptedIn, patcher);
            LOG.log(answer.warning() ? Level.WARNING : Level.INFO, answer.log());
            send(exchange, 200, "application/json", answer.bytes());
        } catch (AdmissionReviews.BadRequest e) {
            LOG.warning("bad request from " + exchange.getRemoteAddress() + ": " + e.getMessage());
            send(exchange, 400, "text/plain", e.getMessage() + "\n");
        }
    }

    private static void tooLarge(HttpExchange exchange) throws IOException {
        LOG.warning("request from " + exchange.getRemoteAddress() + " over " + MAX_BODY + " bytes refused");
        send(exchange, 413, "text/plain", "the body is over " + MAX_BODY + " bytes\n");
    }

    private static void send(HttpExchange exchange, int status, String type, String text) throws IOException {
        send(exchange, status, type, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        // Out now: closing the exchange first reads what is left of the request, which a client that announced
        // too large a body may never send.
        exchange.getResponseBody().flush();
    }
}
