package io.proclens.fuse;

import io.proclens.fs.DirEntry;
import io.proclens.fs.Filesystem;
import io.proclens.fs.FsException;
import io.proclens.fs.NodeAttr;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests and replies at the byte offsets of the kernel's {@code linux/fuse.h} (7.42), answered from a small tree:
 * / (1) holds proc (2), which holds meminfo (3) and self (4, a symlink).
 */
class WireOperationsTest {
    private final Arena arena = Arena.ofAuto();
    private final Tree tree = new Tree();
    private final WireOperations ops = new WireOperations(tree, RequestMetrics.OFF);
    private final MemorySegment out = arena.allocate(4096, 8);

    static class Tree implements Filesystem {
        final List<Long> released = new ArrayList<>();
        int lastReader;

        @Override
        public NodeAttr lookup(long parent, String name) throws FsException {
            if (parent == 1 && name.equals("proc")) return NodeAttr.directory(2, 2);
            if (parent == 2 && name.equals("meminfo")) return NodeAttr.virtualFile(3, 0444).forThisReaderOnly();
            throw new FsException(FsException.Failure.NOT_FOUND, name);
        }

        @Override
        public NodeAttr getattr(long ino) throws FsException {
            return switch ((int) ino) {
                case 1 -> NodeAttr.directory(1, 3);
                case 2 -> NodeAttr.directory(2, 2);
                case 3 -> NodeAttr.virtualFile(3, 0444);
                case 4 -> new NodeAttr(4, NodeAttr.Kind.SYMLINK, 0777, 2, 1);
                default -> throw new FsException(FsException.Failure.NOT_FOUND, "ino " + ino);
            };
        }

        @Override
        public long open(long ino, int flags) throws FsException {
            if (ino != 3) throw new FsException(FsException.Failure.IS_A_DIRECTORY, "ino " + ino);
            return 77;
        }

        @Override
        public MemorySegment read(long ino, long handle, long offset, long size, int readerPid) {
            lastReader = readerPid;
            byte[] text = ("MemTotal: 262144 kB for " + readerPid + "\n").getBytes(StandardCharsets.US_ASCII);
            if (offset >= text.length) return MemorySegment.NULL;
            return MemorySegment.ofArray(text).asSlice(offset, Math.min(size, text.length - offset));
        }

        @Override
        public void release(long handle) {
            released.add(handle);
        }

        @Override
        public List<DirEntry> readdir(long ino) throws FsException {
            if (ino != 2) throw new FsException(FsException.Failure.NOT_A_DIRECTORY, "ino " + ino);
            return List.of(new DirEntry("meminfo", getattr(3)), new DirEntry("self", getattr(4)));
        }

        @Override
        public String readlink(long ino) throws FsException {
            if (ino != 4) throw new FsException(FsException.Failure.NOT_A_SYMLINK, "ino " + ino);
            return "42";
        }
    }

    private MemorySegment header(int opcode, long nodeid, int pid) {
        MemorySegment h = arena.allocate(WireOperations.IN_HEADER_SIZE, 8);
        h.set(JAVA_INT, 4, opcode);
        h.set(JAVA_LONG, 8, 1000);
        h.set(JAVA_LONG, 16, nodeid);
        h.set(JAVA_INT, 32, pid);
        return h;
    }

    private MemorySegment readIn(long fh, long offset, int size, long lockOwner) {
        MemorySegment op = arena.allocate(40, 8);
        op.set(JAVA_LONG, 0, fh);
        op.set(JAVA_LONG, 8, offset);
        op.set(JAVA_INT, 16, size);
        op.set(JAVA_INT, 20, lockOwner == 0 ? 0 : 2); // FUSE_READ_LOCKOWNER
        op.set(JAVA_LONG, 24, lockOwner);
        return op;
    }

    private int answer(int opcode, long nodeid, MemorySegment op) {
        return ops.answer(header(opcode, nodeid, 4321), op, op, out);
    }

    @Test
    void lookupFillsEntryOutWithNoEntryCachingForPerReaderNames() {
        MemorySegment name = arena.allocateFrom("meminfo");
        out.fill((byte) 0x5a);
        assertEquals(128, ops.answer(header(WireOperations.LOOKUP, 2, 1), MemorySegment.NULL, name, out));
        assertEquals(3, out.get(JAVA_LONG, 0), "nodeid");
        assertEquals(0, out.get(JAVA_LONG, 8), "generation");
        assertEquals(0, out.get(JAVA_LONG, 16), "entry_valid: every reader its own");
        assertEquals(3600, out.get(JAVA_LONG, 24), "attr_valid");
        assertEquals(3, out.get(JAVA_LONG, 40), "attr.ino");
        assertEquals(4096, out.get(JAVA_LONG, 48), "attr.size");
        assertEquals(0100444, out.get(JAVA_INT, 40 + 60), "attr.mode");
        assertEquals(1, out.get(JAVA_INT, 40 + 64), "attr.nlink");
        assertEquals(4096, out.get(JAVA_INT, 40 + 80), "attr.blksize");
        assertEquals(0, out.get(JAVA_INT, 40 + 84), "attr.flags: nothing left of the fill");

        assertEquals(3600, answerLookup(1, "proc"), "a shared name is cached an hour");
        assertEquals(-Errno.ENOENT, ops.answer(header(WireOperations.LOOKUP, 2, 1), MemorySegment.NULL,
                arena.allocateFrom("nothing"), out));
    }

    private long answerLookup(long parent, String name) {
        ops.answer(header(WireOperations.LOOKUP, parent, 1), MemorySegment.NULL, arena.allocateFrom(name), out);
        return out.get(JAVA_LONG, 16);
    }

    @Test
    void lookupMayWriteItsReplyOverItsOwnName() {
        MemorySegment shared = arena.allocate(256, 8);
        shared.setString(0, "proc");
        assertEquals(128, ops.answer(header(WireOperations.LOOKUP, 1, 1), MemorySegment.NULL, shared, shared));
        assertEquals(2, shared.get(JAVA_LONG, 0));
        assertEquals(040555, shared.get(JAVA_INT, 40 + 60) & ~0222);
    }

    @Test
    void getattrFillsAttrOutAndUnknownInodesAreEnoent() {
        assertEquals(104, answer(WireOperations.GETATTR, 1, arena.allocate(16, 8)));
        assertEquals(3600, out.get(JAVA_LONG, 0));
        assertEquals(1, out.get(JAVA_LONG, 16));
        assertEquals(040000, out.get(JAVA_INT, 16 + 60) & 0170000);
        assertEquals(3, out.get(JAVA_INT, 16 + 64));
        assertEquals(-Errno.ENOENT, answer(WireOperations.GETATTR, 99, arena.allocate(16, 8)));
    }

    @Test
    void openIsDirectIoWithoutFlushAndAnUndeliveredOpenIsReleased() {
        MemorySegment openIn = arena.allocate(8, 8);
        MemorySegment header = header(WireOperations.OPEN, 3, 1);
        assertEquals(16, ops.answer(header, openIn, openIn, out));
        assertEquals(77, out.get(JAVA_LONG, 0), "fh");
        assertEquals(1 | 1 << 5, out.get(JAVA_INT, 8), "FOPEN_DIRECT_IO | FOPEN_NOFLUSH, never KEEP_CACHE");
        ops.undelivered(header, out);
        assertEquals(List.of(77L), tree.released);
        assertEquals(-Errno.EISDIR, answer(WireOperations.OPEN, 2, openIn));
    }

    @Test
    void readsForTheCallerAndRefusesPageCacheReads() {
        int length = answer(WireOperations.READ, 3, readIn(77, 0, 4096, 0xabc));
        String text = new String(out.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
        assertEquals("MemTotal: 262144 kB for 4321\n", text, "rendered for the header's pid");
        assertEquals(5, answer(WireOperations.READ, 3, readIn(77, 6, 5, 0xabc)));
        assertEquals("al: 2", new String(out.asSlice(0, 5).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        assertEquals(0, answer(WireOperations.READ, 3, readIn(77, 4096, 4096, 0xabc)), "past the end: empty");
        assertEquals(-Errno.EINVAL, answer(WireOperations.READ, 3, readIn(77, 0, 4096, 0)),
                "no lock owner: the kernel filling its page cache, which every container shares");
    }

    @Test
    void readdirGivesAlignedDirentsFromTheOffsetAndStopsWhenFull() {
        int used = answer(WireOperations.READDIR, 2, readIn(0, 0, 4096, 0));
        assertEquals(32 + 32, used, "24-byte header + name, each padded to 8");
        assertEquals(3, out.get(JAVA_LONG, 0));
        assertEquals(1, out.get(JAVA_LONG, 8), "off: the next entry's index");
        assertEquals(7, out.get(JAVA_INT, 16));
        assertEquals(8, out.get(JAVA_INT, 20), "DT_REG");
        assertEquals("meminfo", new String(out.asSlice(24, 7).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        assertEquals(4, out.get(JAVA_LONG, 32));
        assertEquals(2, out.get(JAVA_LONG, 40));
        assertEquals(10, out.get(JAVA_INT, 52), "DT_LNK");

        assertEquals(32, answer(WireOperations.READDIR, 2, readIn(0, 1, 4096, 0)), "from entry 1: self only");
        assertEquals(4, out.get(JAVA_LONG, 0));
        assertEquals(0, answer(WireOperations.READDIR, 2, readIn(0, 2, 4096, 0)), "at the end: nothing");
        assertEquals(32, answer(WireOperations.READDIR, 2, readIn(0, 0, 40, 0)), "room for one");
        assertEquals(0, answer(WireOperations.READDIR, 2, readIn(0, 0, 8, 0)), "room for none");
        assertEquals(-Errno.ENOTDIR, answer(WireOperations.READDIR, 3, readIn(0, 0, 4096, 0)));
    }

    @Test
    void opendirOnlyOpensDirectories() {
        assertEquals(16, answer(WireOperations.OPENDIR, 2, arena.allocate(8, 8)));
        assertEquals(0, out.get(JAVA_LONG, 0));
        assertEquals(-Errno.ENOTDIR, answer(WireOperations.OPENDIR, 3, arena.allocate(8, 8)));
    }

    @Test
    void readlinkGivesTheTargetWithoutNul() {
        assertEquals(2, answer(WireOperations.READLINK, 4, MemorySegment.NULL));
        assertEquals("42", new String(out.asSlice(0, 2).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        assertEquals(-Errno.EINVAL, answer(WireOperations.READLINK, 3, MemorySegment.NULL));
    }

    @Test
    void releaseStatfsForgetAndTheRest() {
        MemorySegment releaseIn = arena.allocate(24, 8);
        releaseIn.set(JAVA_LONG, 0, 77);
        assertEquals(0, answer(WireOperations.RELEASE, 3, releaseIn));
        assertEquals(List.of(77L), tree.released);
        assertEquals(0, answer(WireOperations.RELEASEDIR, 2, releaseIn));
        assertEquals(80, answer(WireOperations.STATFS, 1, MemorySegment.NULL));
        assertEquals(512, out.get(JAVA_INT, 40));
        assertEquals(255, out.get(JAVA_INT, 44));
        for (int opcode : new int[]{WireOperations.FORGET, WireOperations.BATCH_FORGET, WireOperations.INTERRUPT}) {
            assertEquals(WireOperations.NO_REPLY, answer(opcode, 3, releaseIn), "opcode " + opcode);
        }
        for (int opcode : new int[]{4 /* SETATTR */, 16 /* WRITE */, 22 /* GETXATTR */, 25 /* FLUSH */, 34 /* ACCESS */,
                35 /* CREATE */, 40 /* POLL */, 46 /* LSEEK */, 52 /* STATX */, 9999}) {
            assertEquals(-Errno.ENOSYS, answer(opcode, 3, releaseIn), "opcode " + opcode);
        }
    }

    @Test
    void anythingUnexpectedIsEio() {
        Filesystem broken = new Tree() {
            @Override
            public NodeAttr getattr(long ino) {
                throw new IllegalStateException("a bug");
            }
        };
        WireOperations wire = new WireOperations(broken, RequestMetrics.OFF);
        assertEquals(-Errno.EIO, wire.answer(header(WireOperations.GETATTR, 1, 1), MemorySegment.NULL,
                MemorySegment.NULL, out));
        MemorySegment unterminated = arena.allocate(4, 8);
        unterminated.fill((byte) 'x');
        assertTrue(wire.answer(header(WireOperations.LOOKUP, 1, 1), MemorySegment.NULL, unterminated, out) < 0,
                "a name without its NUL is an error, never a read past the payload");
    }
}
