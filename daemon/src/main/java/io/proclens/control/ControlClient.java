package io.proclens.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** `proclens options`'s end: sends one request line, returns the one reply line. */
public final class ControlClient {
    private ControlClient() {
    }

    public static String send(Path socket, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            ByteBuffer reply = ByteBuffer.allocate(4096);
            while (reply.hasRemaining() && channel.read(reply) >= 0) {
                // until the daemon closes its end
            }
            return new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8).strip();
        }
    }
}
