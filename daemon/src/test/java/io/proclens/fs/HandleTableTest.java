package io.proclens.fs;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Handles are slots with generations: a released handle never reaches the snapshot of a later open. */
class HandleTableTest {
    private final HandleTable table = new HandleTable();
    private static final MemorySegment A = MemorySegment.ofArray(new byte[]{'a'});
    private static final MemorySegment B = MemorySegment.ofArray(new byte[]{'b'});

    @Test
    void eachOpenFindsItsOwnSnapshotUntilReleased() {
        long a = table.add(A);
        long b = table.add(B);
        assertNotEquals(a, b);
        assertNotEquals(0, a);
        assertSame(A, table.get(a));
        assertSame(B, table.get(b));
        table.remove(a);
        assertNull(table.get(a));
        assertSame(B, table.get(b));
        assertEquals(1, table.size());
    }

    @Test
    void aReusedSlotDoesNotAnswerTheReleasedHandle() {
        long a = table.add(A);
        table.remove(a);
        long b = table.add(B);
        assertEquals((int) a, (int) b, "the freed slot is taken again");
        assertNotEquals(a, b, "with another generation");
        assertNull(table.get(a));
        assertSame(B, table.get(b));
    }

    @Test
    void aSecondReleaseOfAHandleDoesNotCloseTheSlotsNextFile() {
        long a = table.add(A);
        table.remove(a);
        long b = table.add(B);
        table.remove(a); // stale: ignored
        assertSame(B, table.get(b));
        assertEquals(1, table.size());
        long c = table.add(A);
        assertNotEquals((int) b, (int) c, "the slot of b was not freed twice");
    }

    @Test
    void handlesNeverGivenAreNotOpen() {
        table.add(A);
        assertNull(table.get(0));
        assertNull(table.get(-1));
        assertNull(table.get(HandleTable.handle(0, HandleTable.CHUNK * 5)));
        assertNull(table.get(HandleTable.handle(7, 0)));
        table.remove(HandleTable.handle(7, 0)); // wrong generation: ignored
        assertEquals(1, table.size());
    }

    @Test
    void manyOpenAtOnceSpanChunksAndAllComeBack() {
        int count = HandleTable.CHUNK * 3 + 17;
        long[] handles = new long[count];
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < count; i++) {
            handles[i] = table.add(i % 2 == 0 ? A : B);
            distinct.add(handles[i]);
        }
        assertEquals(count, distinct.size());
        assertEquals(count, table.size());
        for (int i = 0; i < count; i++) assertSame(i % 2 == 0 ? A : B, table.get(handles[i]));
        for (long handle : handles) table.remove(handle);
        assertEquals(0, table.size());
        // reopened, the freed slots are used before new ones
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < count; i++) slots.add((int) table.add(A));
        assertTrue(slots.stream().allMatch(s -> s >= 1 && s <= count), "only the slots used before");
    }
}
