package io.proclens.metrics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;

/**
 * Where the metrics endpoint listens: {@code HOST:PORT}, {@code [IPV6]:PORT}, or {@code :PORT} for every interface.
 * The port is fixed (no 0): Prometheus scrapes one address, and each new worker binds that same one again.
 *
 * @param host a name or address literal (an IPv6 one without brackets); null for every interface
 */
public record ListenAddress(String host, int port) {
    public ListenAddress {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("the port must be 1 to 65535, not " + port);
        if (host != null && host.isEmpty()) {
            throw new IllegalArgumentException("an empty host: write :PORT for every interface");
        }
    }

    /** The option's syntax only, no name lookup; see {@link #resolve()}. */
    public static ListenAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT or :PORT (e.g. 127.0.0.1:9464)");
        }
        String hostPart = text.substring(0, colon);
        String portPart = text.substring(colon + 1);
        if (portPart.isEmpty() || !portPart.chars().allMatch(c -> c >= '0' && c <= '9') || portPart.length() > 5) {
            throw new IllegalArgumentException("'" + text + "': the port must be a number from 1 to 65535");
        }
        String host;
        if (hostPart.startsWith("[") && hostPart.endsWith("]") && hostPart.length() > 2) {
            host = hostPart.substring(1, hostPart.length() - 1);
        } else if (hostPart.contains(":") || hostPart.contains("[") || hostPart.contains("]")) {
            throw new IllegalArgumentException("'" + text + "': an IPv6 address goes in brackets, e.g. [::1]:9464");
        } else {
            host = hostPart.isEmpty() ? null : hostPart;
        }
        return new ListenAddress(host, Integer.parseInt(portPart));
    }

    /**
     * The socket address to bind, after checking that the host is known and one of this machine's.
     *
     * @throws IllegalArgumentException a host that does not resolve, or resolves to another machine's address
     */
    public InetSocketAddress resolve() {
        if (host == null) return new InetSocketAddress(port);
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "'");
        }
        if (!isLocal(address)) throw new IllegalArgumentException(host + " is not an address of this machine");
        return new InetSocketAddress(address, port);
    }

    private static boolean isLocal(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress()) return true;
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (IOException e) {
            return true; // cannot tell: binding will say
        }
    }

    /** As {@link #parse} reads it back. */
    @Override
    public String toString() {
        if (host == null) return ":" + port;
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
