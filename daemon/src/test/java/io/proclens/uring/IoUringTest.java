package io.proclens.uring;

import io.proclens.sys.CallFailed;
import io.proclens.sys.Mappings;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring's mechanics with no-op entries: what is filled is submitted, each completes once, slots are reused. */
class IoUringTest {
    private static final byte OP_NOP = 0;

    private static IoUring ringOrSkip(int entries) {
        try {
            return IoUring.create(entries);
        } catch (CallFailed e) {
            // ENOSYS, EPERM (io_uring_disabled), EINVAL (before 6.6: no IORING_SETUP_NO_SQARRAY)
            Assumptions.abort("this kernel gives no io_uring with 128-byte entries: " + e.getMessage());
            return null;
        }
    }

    @Test
    void everyFilledEntryCompletesOnceWithItsUserData() throws Exception {
        try (IoUring ring = ringOrSkip(8)) {
            assertEquals(8, ring.capacity());
            Set<Long> seen = new HashSet<>();
            for (int round = 0; round < 5; round++) { // more entries in all than the ring has: slots are reused
                for (long i = 0; i < 8; i++) nop(ring, round * 100 + i);
                assertNull(ring.nextEntry(), "a full submission ring has no free entry");
                int completed = 0;
                while (completed < 8) {
                    ring.submitAndWait(); // false after a signal: the loop waits again
                    int ready = ring.ready();
                    for (int c = 0; c < ready; c++) {
                        assertEquals(0, ring.completionResult(c));
                        assertTrue(seen.add(ring.completionUserData(c)), "completed twice");
                    }
                    ring.advance(ready);
                    completed += ready;
                }
                assertEquals(8, completed);
            }
            assertEquals(40, seen.size());
        }
    }

    @Test
    void anUnknownOpcodeCompletesWithANegativeErrno() throws Exception {
        try (IoUring ring = ringOrSkip(2)) {
            MemorySegment sqe = ring.nextEntry();
            assertNotNull(sqe);
            sqe.set(JAVA_BYTE, IoUring.SQE_OPCODE, (byte) 250);
            sqe.set(JAVA_LONG, IoUring.SQE_USER_DATA, 7L);
            while (!ring.submitAndWait()) { /* a signal: again */ }
            assertEquals(1, ring.ready());
            assertEquals(7L, ring.completionUserData(0));
            assertEquals(-22, ring.completionResult(0)); // EINVAL
            ring.advance(1);
            assertEquals(0, ring.ready());
        }
    }

    @Test
    void anonymousMemoryIsZeroedAndWritable() throws Exception {
        MemorySegment memory = Mappings.anonymous(3 * 4096);
        try {
            assertEquals(3 * 4096, memory.byteSize());
            assertEquals(0L, memory.get(JAVA_LONG, 4096));
            memory.set(JAVA_LONG, 2 * 4096, 42L);
            assertEquals(42L, memory.get(JAVA_LONG, 2 * 4096));
        } finally {
            Mappings.unmap(memory);
        }
    }

    private static void nop(IoUring ring, long userData) {
        MemorySegment sqe = ring.nextEntry();
        assertNotNull(sqe);
        sqe.set(JAVA_BYTE, IoUring.SQE_OPCODE, OP_NOP);
        sqe.set(JAVA_LONG, IoUring.SQE_USER_DATA, userData);
    }
}
