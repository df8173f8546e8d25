package io.proclens.cli;

import io.proclens.webhook.Injection;
import io.proclens.webhook.PodPatcher;
import io.proclens.webhook.ReloadingKeyManager;
import io.proclens.webhook.WebhookServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * {@code proclens webhook}: the Kubernetes mutating admission webhook that adds proclens' mounts to pods (see
 * scripts/kubernetes/). Runs until SIGTERM; needs neither root nor FUSE.
 */
@Command(name = "webhook", mixinStandardHelpOptions = true,
        description = "Serves a Kubernetes mutating admission webhook over HTTPS that adds proclens' files to pods"
                + " as read-only hostPath mounts over /proc/... and /sys/... (POST /mutate: pods annotated"
                + " " + Injection.ANNOTATION + "=true; POST /mutate-namespace: every pod not annotated false;"
                + " GET /healthz, /readyz). The certificate files are read again when they change.")
final class WebhookCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(WebhookCommand.class.getName());

    @Option(names = "--port", defaultValue = "8443", description = "The HTTPS port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--address", defaultValue = "0.0.0.0", description = "The address to listen on (default ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "/etc/proclens/tls/tls.crt",
            description = "The PEM certificate chain (default ${DEFAULT-VALUE}).")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "/etc/proclens/tls/tls.key",
            description = "The PEM private key, PKCS#8 or PKCS#1 RSA (default ${DEFAULT-VALUE}).")
    Path key;

    @Option(names = "--host-dir", paramLabel = "DIR", defaultValue = Injection.DEFAULT_DIR,
            description = "The nodes' proclens mountpoint, the source of the hostPath volumes (default ${DEFAULT-VALUE}).")
    String hostDir;

    @Option(names = "--pod-dir", paramLabel = "DIR",
            description = "Where the mountpoint itself appears in a container (default: the same as --host-dir).")
    String podDir;

    @Option(names = "--pressure", description = "Also mount /proc/pressure/{cpu,io,memory}. Off by default: runc"
            + " refuses mounts inside /proc but over a fixed list of files, which has no pressure file.")
    boolean pressure;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Injection injection;
        try {
            injection = Injection.of(hostDir, podDir == null ? hostDir : podDir, pressure);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        ReloadingKeyManager keys;
        try {
            keys = new ReloadingKeyManager(cert, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new UserError("cannot load the certificate " + cert + " and key " + key + ": " + e.getMessage());
        }
        // A client that stops sending mid-request is dropped after 30 s instead of holding its thread (the JDK
        // server's own knobs, read once when its first server is made).
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "30"));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", "30"));
        WebhookServer server;
        try {
            server = WebhookServer.start(new InetSocketAddress(address, port), keys, new PodPatcher(injection));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JDK", e);
        }
        LOG.info("webhook listening on https://" + address + ":" + server.port() + ", injecting "
                + injection.files().size() + " files from " + injection.hostDir());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "webhook-stop"));
        stopped.await();
        return 0;
    }
}
