package io.proclens.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The FUSE_INIT request the kernel sends once per connection, as raw bytes (struct fuse_in_header, then
 * struct fuse_init_in), in the host's byte order.
 */
public final class InitRequest {
    /** fuse_in_header: u32 len, u32 opcode, u64 unique, u64 nodeid, u32 uid, gid, pid, u16 extlen, u16 pad. */
    static final int HEADER_LENGTH = 40;
    /** The header and the 7.6-era fuse_init_in fields libfuse reads (major, minor, max_readahead, flags). */
    public static final int MIN_LENGTH = HEADER_LENGTH + 16;
    public static final int FUSE_INIT = 26;
    /**
     * A request id no request ever has: the kernel counts ids up from 2 in steps of 2 (bit 0 marks an interrupt, bit
     * 63 a resent request), so it will not reach 2^62 while this machine lives.
     */
    static final long NEVER_ISSUED_UNIQUE = (1L << 62) + 2;

    private InitRequest() {
    }

    public static int opcode(byte[] request) {
        return ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getInt(4);
    }

    public static long unique(byte[] request) {
        return ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getLong(8);
    }

    /** The protocol version the kernel offered: major << 16 | minor. */
    public static int version(byte[] request) {
        ByteBuffer in = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        return in.getInt(HEADER_LENGTH) << 16 | in.getInt(HEADER_LENGTH + 4);
    }

    static byte[] withUnique(byte[] request, long unique) {
        byte[] copy = request.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder()).putLong(8, unique);
        return copy;
    }
}
