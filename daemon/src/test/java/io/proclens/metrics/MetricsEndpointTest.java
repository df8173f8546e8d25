package io.proclens.metrics;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP side on a loopback port: what it answers, and how it binds an address that is still taken. */
class MetricsEndpointTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private final MetricsRegistry registry = new MetricsRegistry();

    MetricsEndpointTest() {
        registry.gauge("demo_answer", "The answer.", Labels.NONE, () -> 42);
    }

    @Test
    void answersTheScrapeAtMetricsAndNothingElse() throws Exception {
        ListenAddress address = new ListenAddress("127.0.0.1", freePort());
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(address, registry)) {
            endpoint.awaitBinding();
            assertNotNull(endpoint.boundAddress());
            HttpResponse<String> scrape = get(address, "/metrics", "GET");
            assertEquals(200, scrape.statusCode());
            assertEquals(TextFormat.CONTENT_TYPE, scrape.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(registry.scrape(), scrape.body());
            assertEquals(200, get(address, "/metrics", "HEAD").statusCode());
            assertEquals(404, get(address, "/", "GET").statusCode());
            assertEquals(404, get(address, "/metrics/more", "GET").statusCode());
            HttpResponse<String> post = get(address, "/metrics", "POST");
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        }
    }

    @Test
    void aCountThatFailsToReadFailsThatScrapeWith500() throws Exception {
        registry.gauge("demo_broken", "Throws.", Labels.NONE, () -> {
            throw new IllegalStateException("cgroup gone");
        });
        ListenAddress address = new ListenAddress("127.0.0.1", freePort());
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(address, registry)) {
            endpoint.awaitBinding();
            HttpResponse<String> scrape = get(address, "/metrics", "GET");
            assertEquals(500, scrape.statusCode());
            assertTrue(scrape.body().contains("cgroup gone"), scrape.body());
        }
    }

    @Test
    void anAddressStillTakenIsBoundOnceItIsFree() throws Exception {
        ServerSocketChannel previousWorker = ServerSocketChannel.open();
        previousWorker.bind(new InetSocketAddress("127.0.0.1", 0));
        ListenAddress address = new ListenAddress("127.0.0.1",
                ((InetSocketAddress) previousWorker.getLocalAddress()).getPort());
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(address, registry, Duration.ofMinutes(5),
                Duration.ofMillis(20))) {
            assertNull(endpoint.boundAddress(), "bound while another socket holds the address");
            previousWorker.close();
            endpoint.awaitBinding();
            assertNotNull(endpoint.boundAddress());
            assertEquals(200, get(address, "/metrics", "GET").statusCode());
        }
    }

    @Test
    void anAddressTakenForLongerThanTheRetriesIsGivenUpWithoutFailingTheCaller() throws Exception {
        try (ServerSocketChannel other = ServerSocketChannel.open()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            ListenAddress address = new ListenAddress("127.0.0.1", ((InetSocketAddress) other.getLocalAddress()).getPort());
            IOException taken = assertThrows(BindException.class, () -> MetricsEndpoint.checkBindable(address));
            assertTrue(taken.getMessage().contains("in use"), taken.getMessage());
            try (MetricsEndpoint endpoint = MetricsEndpoint.start(address, registry, Duration.ZERO, Duration.ZERO)) {
                endpoint.awaitBinding();
                assertNull(endpoint.boundAddress());
            }
        }
    }

    @Test
    void closedItFreesTheAddressForTheNextWorker() throws Exception {
        ListenAddress address = new ListenAddress("127.0.0.1", freePort());
        MetricsEndpoint first = MetricsEndpoint.start(address, registry);
        first.awaitBinding();
        get(address, "/metrics", "GET"); // a kept-alive connection, as Prometheus keeps one
        first.close();
        MetricsEndpoint.checkBindable(address);
        try (MetricsEndpoint second = MetricsEndpoint.start(address, registry)) {
            second.awaitBinding();
            assertNotNull(second.boundAddress());
        }
    }

    private HttpResponse<String> get(ListenAddress address, String path, String method) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }
}
