package io.proclens.metrics;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --metrics ADDRESS: what it accepts, what it refuses and why, and that a worker reads back what it is given. */
class ListenAddressTest {
    @Test
    void hostAndPortOrPortAloneOrABracketedIpv6Address() {
        assertEquals(new ListenAddress("127.0.0.1", 9464), ListenAddress.parse("127.0.0.1:9464"));
        assertEquals(new ListenAddress("localhost", 80), ListenAddress.parse("localhost:80"));
        ListenAddress everywhere = ListenAddress.parse(":9464");
        assertNull(everywhere.host());
        assertEquals(9464, everywhere.port());
        assertEquals(new ListenAddress("::1", 9464), ListenAddress.parse("[::1]:9464"));
    }

    @Test
    void writtenAsItIsRead() {
        for (String text : new String[] {"127.0.0.1:9464", ":1", "[::1]:65535", "localhost:8080"}) {
            assertEquals(text, ListenAddress.parse(text).toString());
        }
    }

    @Test
    void badAddressesSayWhatIsWrong() {
        assertMessage("9464", "HOST:PORT");
        assertMessage("127.0.0.1", "HOST:PORT");
        assertMessage("127.0.0.1:", "port");
        assertMessage("127.0.0.1:http", "port");
        assertMessage("127.0.0.1:0", "1 to 65535");
        assertMessage("127.0.0.1:65536", "1 to 65535");
        assertMessage("127.0.0.1:-1", "port");
        assertMessage("127.0.0.1:99999999999", "port");
        assertMessage("::1:9464", "brackets");
        assertMessage("[::1:9464", "brackets");
        assertMessage("[]:9464", "brackets");
    }

    @Test
    void resolvesALocalAddressAndRefusesAnotherMachines() {
        assertEquals(new InetSocketAddress("127.0.0.1", 9464), ListenAddress.parse("127.0.0.1:9464").resolve());
        assertTrue(ListenAddress.parse(":9464").resolve().getAddress().isAnyLocalAddress());
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never one of this machine's addresses
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ListenAddress.parse("192.0.2.1:9464").resolve());
        assertTrue(e.getMessage().contains("not an address of this machine"), e.getMessage());
    }

    private static void assertMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(text),
                text);
        assertTrue(e.getMessage().contains(expected), text + ": " + e.getMessage());
    }
}
