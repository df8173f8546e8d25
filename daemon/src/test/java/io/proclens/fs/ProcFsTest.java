package io.proclens.fs;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcFsTest {
    /** Renders "FILE for PID" so each snapshot shows whom it was made for. */
    private final ProcFs fs = new ProcFs(List.of(VirtualFile.values()),
            Renderer.ofText((file, pid) -> file.path() + " for " + pid + "\n"), Path.of("/nonexistent"));

    private long ino(String path) throws FsException {
        long ino = Filesystem.ROOT;
        for (String name : path.split("/")) ino = fs.lookup(ino, name).ino();
        return ino;
    }

    private static String text(MemorySegment bytes) {
        return new String(bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Test
    void everyFileIsReadableByWhomTheHostsFileIsAndWritableByNoOne() throws Exception {
        for (VirtualFile file : VirtualFile.values()) {
            java.nio.file.Path host = java.nio.file.Path.of(file.hostPath());
            if (!java.nio.file.Files.exists(host)) continue; // pressure files without PSI
            int hostBits = 0;
            for (var bit : java.nio.file.Files.getPosixFilePermissions(host)) {
                hostBits |= switch (bit) {
                    case OWNER_READ -> 0400;
                    case GROUP_READ -> 0040;
                    case OTHERS_READ -> 0004;
                    default -> 0;
                };
            }
            assertEquals(Integer.toOctalString(hostBits), Integer.toOctalString(fs.getattr(ino(file.path())).permissions()),
                    file.path() + " against " + host);
        }
        assertEquals(0400, fs.getattr(ino("proc/slabinfo")).permissions()); // root only on every kernel since 2.6
    }

    @Test
    void treeHasLxcfsPathsAndOnlyThem() throws FsException {
        for (VirtualFile file : VirtualFile.values()) {
            NodeAttr attr = fs.getattr(ino(file.path()));
            assertFalse(attr.directory(), file.path());
            assertEquals(1, attr.links());
        }
        assertTrue(fs.getattr(ino("sys/devices/system/cpu")).directory());
        assertEquals(List.of(".", "..", "proc", "sys"), names(Filesystem.ROOT));
        assertEquals(List.of(".", "..", "meminfo", "cpuinfo", "uptime", "stat", "diskstats", "swaps", "slabinfo",
                "loadavg", "vmstat", "pressure"), names(ino("proc")));
        assertEquals(List.of(".", "..", "cpu", "io", "memory"), names(ino("proc/pressure")));
        FsException missing = assertThrows(FsException.class, () -> fs.lookup(ino("proc"), "version"));
        assertEquals(FsException.Failure.NOT_FOUND, missing.failure());
    }

    @Test
    void rootLinksCountItsSubdirectories() throws FsException {
        assertEquals(4, fs.getattr(Filesystem.ROOT).links()); // ".", its name, and ".." of proc and sys
        assertEquals(3, fs.getattr(ino("proc")).links()); // and pressure's ".."
        assertEquals(2, fs.getattr(ino("proc/pressure")).links());
    }

    @Test
    void lookupBelowAFileIsNotADirectory() throws FsException {
        long meminfo = ino("proc/meminfo");
        assertEquals(FsException.Failure.NOT_A_DIRECTORY,
                assertThrows(FsException.class, () -> fs.lookup(meminfo, "x")).failure());
        assertEquals(FsException.Failure.NOT_A_DIRECTORY,
                assertThrows(FsException.class, () -> fs.readdir(meminfo)).failure());
    }

    @Test
    void unknownInodeIsNotFound() {
        assertEquals(FsException.Failure.NOT_FOUND,
                assertThrows(FsException.class, () -> fs.getattr(999)).failure());
        assertEquals(FsException.Failure.NOT_FOUND,
                assertThrows(FsException.class, () -> fs.getattr(0)).failure());
    }

    @Test
    void eachHandleKeepsTheSnapshotRenderedForItsReader() throws FsException {
        long meminfo = ino("proc/meminfo");
        long first = fs.open(meminfo, 0);
        long second = fs.open(meminfo, 0);
        assertEquals("proc/meminfo for 100\n", text(fs.read(meminfo, first, 0, 4096, 100)));
        assertEquals("proc/meminfo for 200\n", text(fs.read(meminfo, second, 0, 4096, 200)));
        assertEquals("for 100\n", text(fs.read(meminfo, first, 13, 4096, 200)), "continues its own rendering");
        assertEquals(2, fs.openHandles());
        fs.release(first);
        fs.release(second);
        assertEquals(0, fs.openHandles());
        assertEquals(FsException.Failure.BAD_HANDLE,
                assertThrows(FsException.class, () -> fs.read(meminfo, first, 0, 10, 100)).failure());
    }

    @Test
    void aReadAtOffsetZeroRendersAnewAndLaterOffsetsContinueIt() throws FsException {
        int[] renders = {0};
        ProcFs counting = new ProcFs(List.of(VirtualFile.values()),
                Renderer.ofText((file, pid) -> "rendering " + ++renders[0] + " of " + file.path() + "\n"),
                Path.of("/nonexistent"));
        long stat = counting.lookup(counting.lookup(Filesystem.ROOT, "proc").ino(), "stat").ino();
        long handle = counting.open(stat, 0);
        assertEquals(0, renders[0], "nothing is rendered before the first read");
        assertEquals("rendering 1", text(counting.read(stat, handle, 0, 11, 7)));
        assertEquals(" of proc/stat\n", text(counting.read(stat, handle, 11, 4096, 7)), "one pass, one rendering");
        assertEquals("", text(counting.read(stat, handle, 25, 4096, 7)));
        // procps: lseek(fd, 0) and read again on every refresh
        assertEquals("rendering 2 of proc/stat\n", text(counting.read(stat, handle, 0, 4096, 7)));
        assertEquals("of proc/stat\n", text(counting.read(stat, handle, 12, 4096, 7)));
        assertEquals("rendering 3 of proc/stat\n", text(counting.read(stat, handle, 0, 4096, 7)));
        assertEquals(3, renders[0]);
    }

    @Test
    void aFirstReadPastZeroRendersOnceAndIsContinued() throws FsException {
        long uptime = ino("proc/uptime"); // "proc/uptime for 7\n": 18 bytes
        long handle = fs.open(uptime, 0);
        assertEquals("uptime for 7\n", text(fs.read(uptime, handle, 5, 1 << 20, 7)));
        assertEquals("\n", text(fs.read(uptime, handle, 17, 10, 8)), "the rendering for 7 is continued");
    }

    @Test
    void readsAreSlicedByOffsetAndSize() throws FsException {
        long uptime = ino("proc/uptime"); // "proc/uptime for 7\n": 18 bytes
        long handle = fs.open(uptime, 0);
        assertEquals("proc", text(fs.read(uptime, handle, 0, 4, 7)));
        assertEquals("uptime for 7\n", text(fs.read(uptime, handle, 5, 1 << 20, 7)));
        assertEquals("", text(fs.read(uptime, handle, 18, 10, 7)));
        assertEquals("", text(fs.read(uptime, handle, Long.MAX_VALUE, 10, 7)));
        assertEquals("", text(fs.read(uptime, handle, -1, 10, 7)));
        assertEquals("", text(fs.read(uptime, handle, 0, 0, 7)));
    }

    @Test
    void virtualFilesSayTheyAreAPageLong() throws FsException {
        // Not 0: a kernel that splices a direct-I/O file through the page cache stops at the size (see NodeAttr).
        assertEquals(4096, fs.getattr(ino("proc/meminfo")).size());
        assertEquals(4096, fs.lookup(ino("sys/devices/system/cpu"), "online").size());
    }

    @Test
    void openForWritingOrOfADirectoryIsRefused() throws FsException {
        long meminfo = ino("proc/meminfo");
        assertEquals(FsException.Failure.READ_ONLY,
                assertThrows(FsException.class, () -> fs.open(meminfo, 1 /* O_WRONLY */)).failure());
        assertEquals(FsException.Failure.READ_ONLY,
                assertThrows(FsException.class, () -> fs.open(meminfo, 2 /* O_RDWR */)).failure());
        assertEquals(FsException.Failure.IS_A_DIRECTORY,
                assertThrows(FsException.class, () -> fs.open(ino("proc"), 0)).failure());
        assertEquals(0, fs.openHandles());
    }

    private List<String> names(long dir) throws FsException {
        return fs.readdir(dir).stream().map(DirEntry::name).toList();
    }
}
