package io.proclens.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.models.V1Pod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.proclens.webhook.Pods.JSON;
import static io.proclens.webhook.Pods.apply;
import static io.proclens.webhook.Pods.assertInjected;
import static io.proclens.webhook.Pods.assertValid;
import static io.proclens.webhook.Pods.mounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The webhook over real HTTPS, with a certificate made by scripts/kubernetes/make-certs.sh: AdmissionReview v1
 * requests as the API server sends them, the returned JSONPatch applied with zjsonpatch and the pod then checked
 * (and read by Kubernetes' own model, which refuses unknown fields); bad requests; the certificate replaced on disk.
 */
class WebhookIT {
    private static final String SERVICE_NAME = "proclens-webhook.proclens.svc";
    private static final Injection INJECTION = Injection.of("/var/lib/proclens", "/var/lib/proclens", false);
    private static final List<LogRecord> LOG = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            LOG.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static Path dir;
    private static Path certs;
    private static Path servedCert;
    private static Path servedKey;
    private static WebhookServer server;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(onPath("openssl"), "needs openssl to make the certificates");
        dir = Files.createTempDirectory("proclens-webhook-it");
        certs = dir.resolve("certs");
        run(List.of(root().resolve("scripts/kubernetes/make-certs.sh").toString(), "--out", certs.toString(), "--days", "2"));
        Path tls = Files.createDirectories(dir.resolve("tls"));
        servedCert = tls.resolve("tls.crt");
        servedKey = tls.resolve("tls.key");
        Files.copy(certs.resolve("tls.crt"), servedCert);
        Files.copy(certs.resolve("tls.key"), servedKey);
        Logger.getLogger("io.proclens.webhook").addHandler(CAPTURE);
        server = WebhookServer.start(new InetSocketAddress("127.0.0.1", 0), new ReloadingKeyManager(servedCert, servedKey),
                new PodPatcher(INJECTION));
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.close();
        Logger.getLogger("io.proclens.webhook").removeHandler(CAPTURE);
        if (dir != null) run(List.of("rm", "-rf", dir.toString()));
    }

    // ---- pods

    private static final String ANNOTATED = "'annotations':{'proclens.io/inject':'true'}";

    @Test
    void oneContainer() throws Exception {
        JsonNode pod = injected("/mutate", "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'one','namespace':'default'," + ANNOTATED + "},"
                + "'spec':{'containers':[{'name':'app','image':'busybox:1.36','command':['sleep','3600'],"
                + "'resources':{'limits':{'memory':'256Mi','cpu':'500m'}}}]}}");
        assertEquals(INJECTION.files().size() + 1, pod.at("/spec/containers/0/volumeMounts").size());
    }

    @Test
    void severalContainersInitContainersAndTheirOwnVolumes() throws Exception {
        JsonNode pod = injected("/mutate", "{'apiVersion':'v1','kind':'Pod','metadata':{'generateName':'web-7c9f-','namespace':'shop'," + ANNOTATED + "},"
                + "'spec':{'initContainers':[{'name':'migrate','image':'flyway','volumeMounts':[{'name':'config','mountPath':'/etc/app'}]}],"
                + "'containers':[{'name':'web','image':'nginx','ports':[{'containerPort':80}],'volumeMounts':[{'name':'config','mountPath':'/etc/app','readOnly':true}]},"
                + "{'name':'log','image':'fluent-bit','volumeMounts':[]},{'name':'metrics','image':'exporter'}],"
                + "'volumes':[{'name':'config','configMap':{'name':'app'}}]}}");
        assertEquals("config", pod.at("/spec/volumes/0/name").asText());
        assertEquals("/etc/app", pod.at("/spec/containers/0/volumeMounts/0/mountPath").asText());
        assertEquals("/etc/app", pod.at("/spec/initContainers/0/volumeMounts/0/mountPath").asText());
        assertEquals(INJECTION.files().size() + 2, pod.at("/spec/volumes").size());
    }

    @Test
    void aContainersOwnMountAtOneOfThePathsStays() throws Exception {
        JsonNode pod = injected("/mutate", "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'own','namespace':'default'," + ANNOTATED + "},"
                + "'spec':{'containers':[{'name':'a','image':'x','volumeMounts':[{'name':'fake','mountPath':'/proc/cpuinfo','subPath':'cpuinfo'}]},"
                + "{'name':'b','image':'x'}],'volumes':[{'name':'fake','configMap':{'name':'fake-cpuinfo'}}]}}", false);
        assertEquals("fake", mounts(pod.at("/spec/containers/0")).get("/proc/cpuinfo"));
        assertEquals("proclens-proc-meminfo", mounts(pod.at("/spec/containers/0")).get("/proc/meminfo"));
        assertEquals("proclens-proc-cpuinfo", mounts(pod.at("/spec/containers/1")).get("/proc/cpuinfo"));
    }

    @Test
    void aHostNetworkPod() throws Exception {
        injected("/mutate", "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'net','namespace':'default'," + ANNOTATED + "},"
                + "'spec':{'hostNetwork':true,'dnsPolicy':'ClusterFirstWithHostNet','containers':[{'name':'a','image':'x'}]}}");
    }

    @Test
    void annotationsAndNamespaces() throws Exception {
        String spec = "'spec':{'containers':[{'name':'a','image':'x'}]}}";
        String plain = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'plain','namespace':'default'}," + spec;
        String out = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'out','namespace':'default','annotations':{'proclens.io/inject':'false'}}," + spec;
        assertTrue(patchOf(post("/mutate", review(plain))).isEmpty(), "not annotated, namespace not labelled");
        injected("/mutate-namespace", plain);
        assertTrue(patchOf(post("/mutate-namespace", review(out))).isEmpty(), "annotated false in a labelled namespace");
        assertTrue(patchOf(post("/mutate", review(out))).isEmpty());
    }

    @Test
    void aPodThatHasTheMountsAlreadyIsLeftAlone() throws Exception {
        JsonNode once = injected("/mutate", "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'twice','namespace':'default'," + ANNOTATED + "},"
                + "'spec':{'initContainers':[{'name':'i','image':'x'}],'containers':[{'name':'a','image':'x'}]}}");
        Response again = post("/mutate", review(JSON.writeValueAsString(once).replace('"', '\'')));
        assertEquals(200, again.status());
        assertTrue(patchOf(again).isEmpty(), again.text());
    }

    @Test
    void aPodOfOddShapeIsAllowedWithAWarningAndLogged() throws Exception {
        Response r = post("/mutate", review("{'metadata':{'name':'odd'," + ANNOTATED + "},'spec':{'containers':{'name':'a'}}}"));
        assertEquals(200, r.status());
        JsonNode answer = JSON.readTree(r.body());
        assertTrue(answer.at("/response/allowed").asBoolean());
        assertTrue(answer.at("/response/patch").isMissingNode());
        assertTrue(answer.at("/response/warnings/0").asText().contains("spec.containers is not a list"), r.text());
        assertTrue(LOG.stream().anyMatch(l -> l.getLevel() == Level.WARNING && l.getMessage().contains("odd")), "logged");
    }

    // ---- requests that are no AdmissionReview

    @Test
    void badRequestsGetAClearStatusAndTheServerGoesOn() throws Exception {
        Response malformed = post("/mutate", "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": ".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, malformed.status());
        assertTrue(malformed.text().startsWith("malformed JSON"), malformed.text());
        Response v1beta1 = post("/mutate", reviewText("{}").replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(400, v1beta1.status());
        assertTrue(v1beta1.text().contains("expected apiVersion admission.k8s.io/v1"), v1beta1.text());
        Response notReview = post("/mutate", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, notReview.status());
        Response deployment = post("/mutate", reviewText("{}").replace("\"resource\":\"pods\"", "\"resource\":\"deployments\"")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(200, deployment.status(), "a review of another kind is answered, allowed");
        assertTrue(JSON.readTree(deployment.body()).at("/response/allowed").asBoolean());
        assertEquals(405, request("GET", "/mutate", null, false).status());
        assertEquals(404, request("POST", "/validate", new byte[0], false).status());

        byte[] big = new byte[WebhookServer.MAX_BODY + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        assertEquals(413, request("POST", "/mutate", big, true).status(), "chunked, one byte over");
        assertEquals(413, declaredTooLarge(), "Content-Length over the limit, refused before the body");
        byte[] justFits = new byte[WebhookServer.MAX_BODY];
        java.util.Arrays.fill(justFits, (byte) ' ');
        assertEquals(400, post("/mutate", justFits).status(), "at the limit: read, and found to be no review");

        assertEquals("ok\n", request("GET", "/healthz", null, false).text());
        assertEquals(200, request("GET", "/readyz", null, false).status());
        oneContainer();
    }

    // ---- the certificate

    @Test
    void aReplacedCertificateIsServedFromTheNextConnection() throws Exception {
        X509Certificate first = request("GET", "/healthz", null, false).peer();
        assertEquals(read(certs.resolve("tls.crt")), first);

        // An RSA key in PKCS#1 (cert-manager's default encoding), written the way the kubelet updates a secret.
        Path next = makeRsaPair("next");
        replace(next.resolve("tls.key"), servedKey);
        replace(next.resolve("tls.crt"), servedCert);
        X509Certificate second = request("GET", "/healthz", null, false).peer();
        assertEquals(read(next.resolve("tls.crt")), second);
        assertEquals("RSA", second.getPublicKey().getAlgorithm());

        // A certificate whose key is not there yet: the pair does not load, the previous one is kept.
        Path third = makeRsaPair("third");
        replace(third.resolve("tls.crt"), servedCert);
        assertEquals(second, request("GET", "/healthz", null, false).peer());
        assertTrue(LOG.stream().anyMatch(l -> l.getMessage().contains("keeping the previous certificate")));
        replace(third.resolve("tls.key"), servedKey);
        X509Certificate now = request("GET", "/healthz", null, false).peer();
        assertEquals(read(third.resolve("tls.crt")), now);
        assertNotEquals(second, now);
        oneContainer();
    }

    // ---- the command

    @Test
    void theJarServesAsACommand() throws Exception {
        Path jar = Path.of(System.getProperty("proclens.jar", "target/proclens.jar"));
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the daemon jar is not built");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "webhook", "--address", "127.0.0.1", "--port", "0", "--tls-cert", certs.resolve("tls.crt").toString(),
                "--tls-key", certs.resolve("tls.key").toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            List<String> lines = new ArrayList<>();
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                lines.add(line);
                var m = java.util.regex.Pattern.compile("listening on https://127.0.0.1:(\\d+)").matcher(line);
                if (m.find()) port = Integer.parseInt(m.group(1));
            }
            assertTrue(port > 0, "no port in " + lines);
            Response health = request(port, "GET", "/healthz", null, false);
            assertEquals(200, health.status());
            assertEquals(read(certs.resolve("tls.crt")), health.peer());
            String pod = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'jar','namespace':'default'},'spec':{'containers':[{'name':'a','image':'x'}]}}";
            Response r = request(port, "POST", "/mutate-namespace", review(pod), false);
            assertEquals(200, r.status(), r.text());
            assertFalse(patchOf(r).isEmpty());
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the webhook did not stop on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
    }

    // ---- helpers

    /** Sends the pod, applies the answer's patch to it, checks the result and returns it. */
    private static JsonNode injected(String path, String podJson) throws Exception {
        return injected(path, podJson, true);
    }

    private static JsonNode injected(String path, String podJson, boolean everyPath) throws Exception {
        JsonNode pod = Pods.pod(podJson);
        Response r = post(path, review(podJson));
        assertEquals(200, r.status(), r.text());
        JsonNode patch = patchOf(r);
        assertFalse(patch.isEmpty(), "no patch for " + podJson);
        JsonNode patched = apply(patch, pod);
        assertValid(patched);
        if (everyPath) assertInjected(patched, INJECTION);
        // Kubernetes' generated model refuses unknown fields and missing required ones.
        V1Pod model = V1Pod.fromJson(JSON.writeValueAsString(patched));
        assertEquals(patched.at("/spec/volumes").size(), model.getSpec().getVolumes().size());
        return patched;
    }

    private static JsonNode patchOf(Response r) throws IOException {
        JsonNode answer = JSON.readTree(r.body());
        assertEquals("admission.k8s.io/v1", answer.path("apiVersion").asText());
        assertTrue(answer.at("/response/allowed").asBoolean(), r.text());
        assertFalse(answer.at("/response/uid").asText().isEmpty());
        JsonNode patch = answer.at("/response/patch");
        if (patch.isMissingNode()) return JSON.createArrayNode();
        assertEquals("JSONPatch", answer.at("/response/patchType").asText());
        return JSON.readTree(Base64.getDecoder().decode(patch.asText()));
    }

    private static byte[] review(String pod) {
        return reviewText(pod).getBytes(StandardCharsets.UTF_8);
    }

    private static String reviewText(String pod) {
        return AdmissionReviewsTest.review("CREATE", "pods", pod);
    }

    record Response(int status, byte[] body, X509Certificate peer) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static Response post(String path, byte[] body) throws Exception {
        return request("POST", path, body, false);
    }

    private static Response request(String method, String path, byte[] body, boolean chunked) throws Exception {
        return request(server.port(), method, path, body, chunked);
    }

    /** One request on a new connection (new SSLContext: no session to resume), trusting only the test's CA. */
    private static Response request(int port, String method, String path, byte[] body, boolean chunked) throws Exception {
        HttpsURLConnection c = (HttpsURLConnection) URI.create("https://127.0.0.1:" + port + path).toURL().openConnection();
        c.setSSLSocketFactory(clientTls().getSocketFactory());
        // The API server checks the service's DNS name, which the test reaches as 127.0.0.1.
        c.setHostnameVerifier((host, session) -> {
            try {
                return ((X509Certificate) session.getPeerCertificates()[0]).getSubjectAlternativeNames().stream()
                        .anyMatch(san -> SERVICE_NAME.equals(san.get(1)));
            } catch (Exception e) {
                return false;
            }
        });
        c.setRequestMethod(method);
        c.setRequestProperty("Connection", "close");
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            if (chunked) c.setChunkedStreamingMode(64 * 1024);
            else c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        X509Certificate peer = (X509Certificate) c.getServerCertificates()[0];
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
        c.disconnect();
        return new Response(status, bytes, peer);
    }

    /** Headers that announce a body over the limit: the answer comes before any of the body is sent. */
    private static int declaredTooLarge() throws Exception {
        try (SSLSocket s = (SSLSocket) clientTls().getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + (WebhookServer.MAX_BODY + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    private static SSLContext clientTls() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", read(certs.resolve("ca.crt")));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    private static X509Certificate read(Path pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }

    /** An RSA pair, its key in PKCS#1 ("BEGIN RSA PRIVATE KEY"), signed by make-certs.sh's CA. */
    private static Path makeRsaPair(String name) throws Exception {
        Path out = Files.createDirectories(dir.resolve(name));
        run(List.of("openssl", "genrsa", "-traditional", "-out", out.resolve("tls.key").toString(), "2048"));
        assertTrue(Files.readString(out.resolve("tls.key")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        Files.writeString(out.resolve("ext"), "subjectAltName=DNS:" + SERVICE_NAME + "\nextendedKeyUsage=serverAuth\n");
        run(List.of("openssl", "req", "-new", "-key", out.resolve("tls.key").toString(), "-subj", "/CN=" + name,
                "-out", out.resolve("tls.csr").toString()));
        run(List.of("openssl", "x509", "-req", "-in", out.resolve("tls.csr").toString(), "-CA", certs.resolve("ca.crt").toString(),
                "-CAkey", certs.resolve("ca.key").toString(), "-set_serial", String.valueOf(System.nanoTime()), "-days", "2",
                "-extfile", out.resolve("ext").toString(), "-out", out.resolve("tls.crt").toString()));
        return out;
    }

    /** A new file renamed over the old one: a new inode, as with the kubelet's symlink swap. */
    private static void replace(Path source, Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".new");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path root() {
        return Path.of(System.getProperty("proclens.root", "..")).toAbsolutePath().normalize();
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, command))) return true;
        }
        return false;
    }

    private static void run(List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(command + " failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
