package io.proclens.handover;

import io.proclens.sys.FdChannelTest;
import io.proclens.sys.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The holder's messages through a real socket, with the descriptors beside them. */
class MessageTest {
    @TempDir
    Path temp;

    @Test
    void theHoldersMessagesRoundTrip() throws Throwable {
        Path file = Files.writeString(temp.resolve("file"), "fuse");
        byte[] init = new byte[104];
        init[4] = 26;
        try (FdChannelTest.Pair pair = FdChannelTest.Pair.open(temp.resolve("s.sock"))) {
            int fd = FdChannelTest.open(file);
            Message.take(3, true, init, fd).sendOn(pair.client());
            Posix.close(fd);
            Message take = Message.receiveFrom(pair.server());
            assertEquals(Message.Kind.TAKE, take.kind());
            assertEquals(3, take.worker());
            assertTrue(take.answerInit());
            assertArrayEquals(init, take.init());
            assertNotEquals(-1, take.fd());
            assertEquals("fuse", FdChannelTest.readAll(take.fd()));
            Posix.close(take.fd());
            Message.of(Message.Kind.UPGRADE, 0, "/x.jar").sendOn(pair.client());
            assertEquals("/x.jar", Message.receiveFrom(pair.server()).text());
        }
    }

    @Test
    void sysinfosListenerSlotAndClosedRoundTrip() throws Throwable {
        Path file = Files.writeString(temp.resolve("listener"), "seccomp");
        try (FdChannelTest.Pair pair = FdChannelTest.Pair.open(temp.resolve("s.sock"))) {
            int fd = FdChannelTest.open(file);
            Message.listener(7, 0x1_0000_0002L, "container-é", fd).sendOn(pair.client());
            new Message(Message.Kind.SLOT, 7, new byte[0], fd).sendOn(pair.client());
            Posix.close(fd);
            Message listener = Message.receiveFrom(pair.server());
            assertEquals(Message.Kind.LISTENER, listener.kind());
            assertEquals(0x1_0000_0002L, listener.key());
            assertEquals("container-é", listener.container());
            assertEquals("seccomp", FdChannelTest.readAll(listener.fd()));
            Posix.close(listener.fd());
            Message slot = Message.receiveFrom(pair.server());
            assertEquals(Message.Kind.SLOT, slot.kind());
            assertNotEquals(-1, slot.fd());
            Posix.close(slot.fd());
            Message.closed(7, 42).sendOn(pair.server());
            Message closed = Message.receiveFrom(pair.client());
            assertEquals(Message.Kind.CLOSED, closed.kind());
            assertEquals(42, closed.key());
            assertEquals(-1, closed.fd());
        }
    }
}
