package io.proclens.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class FdChannelTest {
    @TempDir
    Path temp;

    private static final MethodHandle OPEN = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    public static int open(Path file) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), 0);
            assertTrue(fd >= 0, "open " + file);
            return fd;
        }
    }

    public static String readAll(int fd) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(256);
            long length = Posix.read(fd, buffer);
            return new String(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    /** A connected pair through a listener, as the holder and a worker make it. */
    public record Pair(FdChannel.Listener listener, FdChannel client, FdChannel server) implements AutoCloseable {
        public static Pair open(Path socket) throws Exception {
            FdChannel.Listener listener = FdChannel.Listener.bind(socket);
            CompletableFuture<FdChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            FdChannel client = FdChannel.connect(socket);
            return new Pair(listener, client, accepted.get(10, TimeUnit.SECONDS));
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.close();
            listener.close();
        }
    }

    @Test
    void aDescriptorCrossesAsANewDescriptorOfTheSameFile() throws Throwable {
        Path file = Files.writeString(temp.resolve("file"), "the same open file");
        try (Pair pair = Pair.open(temp.resolve("s.sock"))) {
            int sent = open(file);
            pair.client().send("take".getBytes(StandardCharsets.UTF_8), sent);
            Posix.close(sent); // the receiver's copy lives on without ours
            FdChannel.Received received = pair.server().receive();
            assertEquals("take", received.text());
            assertTrue(received.fd() >= 0);
            assertEquals("the same open file", readAll(received.fd()));
            Posix.close(received.fd());
        }
    }

    @Test
    void messagesKeepTheirBoundariesAndComeWithoutDescriptorsUnlessSent() throws Exception {
        try (Pair pair = Pair.open(temp.resolve("s.sock"))) {
            byte[] binary = new byte[1000];
            for (int i = 0; i < binary.length; i++) binary[i] = (byte) i;
            pair.client().send("one".getBytes(StandardCharsets.UTF_8));
            pair.client().send(binary);
            FdChannel.Received one = pair.server().receive();
            assertEquals("one", one.text());
            assertEquals(-1, one.fd());
            assertArrayEquals(binary, pair.server().receive().bytes());
        }
    }

    @Test
    void theEndOfTheConnectionIsNull() throws Exception {
        try (Pair pair = Pair.open(temp.resolve("s.sock"))) {
            pair.client().close();
            assertNull(pair.server().receive());
        }
    }

    @Test
    void shutdownWakesABlockedReceive() throws Exception {
        try (Pair pair = Pair.open(temp.resolve("s.sock"))) {
            CompletableFuture<FdChannel.Received> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return pair.server().receive();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(100);
            pair.server().shutdown();
            assertNull(waiting.get(10, TimeUnit.SECONDS));
        }
    }
}
