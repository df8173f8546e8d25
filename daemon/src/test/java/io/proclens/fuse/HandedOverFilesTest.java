package io.proclens.fuse;

import io.proclens.fs.DirEntry;
import io.proclens.fs.Filesystem;
import io.proclens.fs.FsException;
import io.proclens.fs.HandleTable;
import io.proclens.fs.NodeAttr;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandedOverFilesTest {
    /** Renders "file <ino> for <pid> #<n>" at every read at offset 0 into a real HandleTable, counting renders. */
    static final class Counting implements Filesystem {
        static final MemorySegment NOT_RENDERED = Arena.global().allocate(1).asSlice(0, 0);
        final HandleTable handles = new HandleTable();
        final List<String> renders = new ArrayList<>();

        @Override
        public long open(long ino, int flags) {
            return handles.add(NOT_RENDERED);
        }

        @Override
        public MemorySegment read(long ino, long handle, long offset, long size, int readerPid) throws FsException {
            MemorySegment bytes = handles.get(handle);
            if (bytes == null) throw new FsException(FsException.Failure.BAD_HANDLE, "handle " + handle);
            if (offset == 0 || bytes == NOT_RENDERED) {
                String text = "file " + ino + " for " + readerPid + " #" + renders.size();
                renders.add(text);
                MemorySegment fresh = Arena.global().allocateFrom(text).asSlice(0, text.length());
                handles.replace(handle, bytes, fresh);
                bytes = fresh;
            }
            if (offset >= bytes.byteSize()) return MemorySegment.NULL;
            return bytes.asSlice(offset, Math.min(size, bytes.byteSize() - offset));
        }

        @Override
        public void release(long handle) {
            handles.remove(handle);
        }

        @Override
        public NodeAttr lookup(long parent, String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public NodeAttr getattr(long ino) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<DirEntry> readdir(long ino) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String readlink(long ino) {
            throw new UnsupportedOperationException();
        }
    }

    static String text(MemorySegment bytes) {
        return new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    @Test
    void handleTableLeavesTheTagBitsFree() {
        assertTrue(HandleTable.MAX_OPEN < 1L << HandedOverFiles.TAG_SHIFT);
        assertTrue(HandedOverFiles.TAG_MASK >>> 32 == 0, "the tag must not reach the generation's bits");
    }

    @Test
    void ownHandlesReadAndReleaseAsBefore() throws FsException {
        Counting inner = new Counting();
        HandedOverFiles files = new HandedOverFiles(inner, 1);
        long handle = files.open(7, 0);
        assertTrue(files.ours(handle));
        assertEquals("file 7 for 100 #0", text(files.read(7, handle, 0, 4096, 100)));
        assertEquals("7 for 100 #0", text(files.read(7, handle, 5, 4096, 100)));
        files.release(handle);
        assertThrows(FsException.class, () -> files.read(7, handle, 0, 4096, 100));
    }

    @Test
    void anotherWorkersHandleIsRenderedForTheReaderAndReleased() throws FsException {
        HandedOverFiles previous = new HandedOverFiles(new Counting(), 1);
        long theirs = previous.open(7, 0); // the previous worker's handle, as the kernel keeps it
        HandedOverFiles files = new HandedOverFiles(new Counting(), 2);
        assertFalse(files.ours(theirs));
        assertEquals("file 7 for 200 #0", text(files.read(7, theirs, 0, 4096, 200)));
        assertEquals(1, files.adoptedCount());
        assertEquals("7 for 200 #0", text(files.read(7, theirs, 5, 4096, 300)), "continued, not rendered again");
        assertEquals("file 7 for 300 #1", text(files.read(7, theirs, 0, 4096, 300)), "read again from 0: anew");
        files.release(theirs);
        assertEquals(0, files.adoptedCount());
    }

    @Test
    void aReadAfterAShortOneIsTheEndOfTheFile() throws FsException {
        HandedOverFiles files = new HandedOverFiles(new Counting(), 2);
        HandedOverFiles previous = new HandedOverFiles(new Counting(), 1);
        // The reader asked 4096 bytes at 0 from the dead worker and got all 17: at 17 it expects the end, even though
        // the new rendering ("file 7 for 200 #0") is 1 byte longer.
        long first = previous.open(7, 0);
        assertEquals(0, files.read(7, first, 17, 4096, 200).byteSize());
        // Java's readAllBytes: 1 byte first, then the rest: the rest comes from the new rendering.
        long second = previous.open(7, 0);
        assertEquals("ile 7 for 200 #1", text(files.read(7, second, 1, 8191, 200)));
        // Reading in chunks (4 of 4 bytes so far): the rest comes from the new rendering.
        long third = previous.open(7, 0);
        assertEquals(" 7 f", text(files.read(7, third, 4, 4, 200)));
    }

    @Test
    void theGuessAtTheEnd() {
        assertTrue(HandedOverFiles.probablyHadItAll(1500, 4096, 1503), "grew by 3 bytes");
        assertTrue(HandedOverFiles.probablyHadItAll(1500, 6692, 1500), "java's last read: the rest of its buffer");
        assertFalse(HandedOverFiles.probablyHadItAll(1, 8191, 1500), "java's second read");
        assertFalse(HandedOverFiles.probablyHadItAll(1, 8191, 4), "java's second read of a tiny file");
        assertFalse(HandedOverFiles.probablyHadItAll(4096, 4096, 4100), "chunks");
        assertFalse(HandedOverFiles.probablyHadItAll(500, 4096, 1500), "far from the end");
    }

    @Test
    void consecutiveWorkersTagDifferently() throws FsException {
        for (int worker = 1; worker < 5000; worker++) {
            HandedOverFiles a = new HandedOverFiles(new Counting(), worker);
            HandedOverFiles b = new HandedOverFiles(new Counting(), worker + 1);
            long handle = a.open(1, 0);
            assertTrue(a.ours(handle));
            assertFalse(b.ours(handle), "worker " + worker);
        }
    }
}
