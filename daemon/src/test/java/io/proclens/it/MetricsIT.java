package io.proclens.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code proclens mount --metrics}: a real Prometheus (Debian's package, /usr/bin/prometheus) scrapes the worker
 * every second and sees the reads done through the mount, before and after the worker is killed; an upgraded
 * worker binds the address its predecessor held; an address already taken stops {@code mount} with one line.
 */
class MetricsIT {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private Process prometheus;
    private Path prometheusLog;

    @BeforeEach
    void needsRootAndFuse() {
        Host.assumeRootWithFuse();
    }

    @AfterEach
    void stopPrometheus() throws InterruptedException {
        if (prometheus == null) return;
        prometheus.destroy();
        if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
            prometheus.destroyForcibly();
            prometheus.waitFor();
        }
    }

    @Test
    void prometheusScrapesTheReadsAndKeepsScrapingAfterTheWorkerIsKilled() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS),
                "needs " + PROMETHEUS + " (Debian: apt-get install prometheus)");
        int port = freePort();
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), "--metrics", "127.0.0.1:" + port)) {
            int reads = readMeminfo(daemon, 25);
            String first = awaitScrape(port, daemon, text -> sample(text, "proclens_worker_generation").isPresent());
            double generation = sample(first, "proclens_worker_generation").orElseThrow();
            assertTrue(sample(first, "proclens_fuse_requests_total{op=\"read\"}").orElseThrow() >= reads, first);
            assertTrue(sample(first, "proclens_fuse_requests_total{op=\"open\"}").orElseThrow() >= reads, first);
            assertTrue(sample(first, "proclens_open_handles").isPresent(), first);

            int prometheusPort = startPrometheus(port);
            awaitQuery(prometheusPort, "up{job=\"proclens\"}", up -> up == 1, daemon);
            awaitQuery(prometheusPort, "proclens_fuse_requests_total{op=\"read\"}", n -> n >= reads, daemon);
            awaitQuery(prometheusPort, "proclens_fuse_request_duration_seconds_count{op=\"read\"}", n -> n >= reads,
                    daemon);

            // A file open across the kill: the next worker adopts its handle when it is read again.
            try (FileChannel open = FileChannel.open(daemon.file("proc/meminfo"))) {
                open.read(ByteBuffer.allocate(65536), 0);
                int served = daemon.workersServed();
                Host.run("kill", "-KILL", Long.toString(daemon.workerPid()));
                daemon.awaitWorkersServed(served + 1);
                assertTrue(open.read(ByteBuffer.allocate(65536), 0) > 0);
            }
            int readsAfter = readMeminfo(daemon, 10);
            String next = awaitScrape(port, daemon,
                    text -> sample(text, "proclens_worker_generation").orElse(0) > generation);
            assertTrue(sample(next, "proclens_fuse_requests_total{op=\"read\"}").orElseThrow() >= readsAfter, next);
            assertTrue(sample(next, "proclens_handover_adopted_handles_total").orElseThrow() >= 1, next);
            awaitQuery(prometheusPort, "proclens_worker_generation", g -> g > generation, daemon);
            awaitQuery(prometheusPort, "up{job=\"proclens\"}", up -> up == 1, daemon);
            assertFalse(daemon.output().contains("serves no metrics"), daemon.output());
        }
    }

    @Test
    void anUpgradedWorkerBindsTheAddressItsPredecessorHeld() throws Exception {
        int port = freePort();
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"), "--metrics", "127.0.0.1:" + port)) {
            readMeminfo(daemon, 5);
            String before = awaitScrape(port, daemon, text -> sample(text, "proclens_worker_generation").isPresent());
            double generation = sample(before, "proclens_worker_generation").orElseThrow();
            for (int upgrade = 1; upgrade <= 2; upgrade++) {
                Host.Result result = Host.run(Host.proclens("upgrade", daemon.mountpoint.toString()));
                assertEquals(0, result.status(), result.output() + daemon.output());
                double expected = generation + upgrade;
                String after = awaitScrape(port, daemon,
                        text -> sample(text, "proclens_worker_generation").orElse(0) >= expected);
                assertTrue(sample(after, "proclens_fuse_requests_total{op=\"read\"}").isPresent(), after);
            }
            assertEquals(3, daemon.output().split("metrics: serving http://127.0.0.1:" + port + "/metrics", -1).length - 1,
                    "each of the three workers served the address:\n" + daemon.output());
            assertFalse(daemon.output().contains("serves no metrics"), daemon.output());
        }
    }

    @Test
    void anAddressAlreadyTakenIsAnErrorAtStartAndNothingIsMounted() throws Exception {
        try (ServerSocketChannel other = ServerSocketChannel.open()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) other.getLocalAddress()).getPort();
            Path mountpoint = temp.resolve("mnt");
            try (Daemon daemon = Daemon.launch(mountpoint, "--metrics", "127.0.0.1:" + port)) {
                assertEquals(1, daemon.awaitExit(60), daemon.output());
                assertTrue(daemon.output().contains("proclens: --metrics 127.0.0.1:" + port + ": Address already in use"),
                        daemon.output());
                assertFalse(Host.anyMountAt(mountpoint), "mounted anyway");
            }
        }
    }

    /** Reads proc/meminfo whole {@code times} times: at least as many opens and reads through the mount. */
    private static int readMeminfo(Daemon daemon, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            assertTrue(Files.readAllBytes(daemon.file("proc/meminfo")).length > 0);
        }
        return times;
    }

    /** Scrapes /metrics until {@code done} holds for the text; fails after {@link #WAIT} with the daemon's log. */
    private String awaitScrape(int port, Daemon daemon, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith(
                            "text/plain; version=0.0.4"), response.headers().toString());
                    if (done.test(response.body())) return response.body();
                }
                last = response.statusCode() + ": " + response.body();
            } catch (ConnectException e) {
                last = e.toString(); // between two workers
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such scrape in " + WAIT + "; last: " + last + "\n" + daemon.output());
    }

    /** The value of the sample line {@code series} (name and labels as written), if the text has it. */
    static OptionalDouble sample(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1)));
        }
        return OptionalDouble.empty();
    }

    /** Starts Prometheus scraping 127.0.0.1:{@code target} every second; returns the port of its HTTP API. */
    private int startPrometheus(int target) throws Exception {
        int port = freePort();
        Path config = temp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: proclens
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(target));
        prometheusLog = temp.resolve("prometheus.log");
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + temp.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(prometheusLog.toFile()).start();
        prometheus.getOutputStream().close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) throw new AssertionError("prometheus exited: " + Files.readString(prometheusLog));
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return port;
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("prometheus not ready in " + WAIT + ": " + Files.readString(prometheusLog));
    }

    /**
     * Asks Prometheus {@code query} (an instant query) until it answers one series whose value {@code done} accepts;
     * returns that value. Fails after {@link #WAIT} with Prometheus' last answer, its log and the daemon's.
     */
    private double awaitQuery(int port, String query, DoublePredicate done, Daemon daemon) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            last = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            JsonNode answer = json.readTree(last);
            JsonNode result = answer.path("data").path("result");
            if (answer.path("status").asText().equals("success") && result.size() == 1) {
                double value = Double.parseDouble(result.get(0).path("value").get(1).asText());
                if (done.test(value)) return value;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never answered " + query + " as expected in " + WAIT + "; last: " + last
                + "\nprometheus log:\n" + Files.readString(prometheusLog) + "\nproclens log:\n" + daemon.output());
    }

    private static int freePort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }
}
