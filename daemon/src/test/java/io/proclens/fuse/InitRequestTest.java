package io.proclens.fuse;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

class InitRequestTest {
    static byte[] init(long unique, int major, int minor) {
        return ByteBuffer.allocate(104).order(ByteOrder.nativeOrder())
                .putInt(0, 104).putInt(4, InitRequest.FUSE_INIT).putLong(8, unique)
                .putInt(40, major).putInt(44, minor).array();
    }

    @Test
    void readsTheHeaderAndTheOfferedVersion() {
        byte[] request = init(2, 7, 45);
        assertEquals(InitRequest.FUSE_INIT, InitRequest.opcode(request));
        assertEquals(2, InitRequest.unique(request));
        assertEquals(7 << 16 | 45, InitRequest.version(request));
    }

    @Test
    void aReplayGetsAnIdTheKernelNeverGivesAndLeavesTheRestAlone() {
        byte[] request = init(2, 7, 45);
        byte[] replay = InitRequest.withUnique(request, InitRequest.NEVER_ISSUED_UNIQUE);
        assertNotSame(request, replay);
        assertEquals(2, InitRequest.unique(request));
        assertEquals(InitRequest.NEVER_ISSUED_UNIQUE, InitRequest.unique(replay));
        assertEquals(0, InitRequest.NEVER_ISSUED_UNIQUE & 1, "bit 0 would make it an interrupt's id");
        assertEquals(0, InitRequest.NEVER_ISSUED_UNIQUE >>> 63, "bit 63 marks a resent request");
        for (int i = 16; i < request.length; i++) assertEquals(request[i], replay[i]);
    }
}
