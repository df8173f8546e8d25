package io.proclens.fs;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sys/devices/system/cpu: the host's directory shown through the mount, with our online in place of the host's. */
class HostMirrorTest {
    @TempDir
    Path root;

    private ProcFs fs;
    private long cpuDir;

    @BeforeEach
    void hostTree() throws Exception {
        Path cpu = Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        Files.createDirectories(cpu.resolve("cpu0/topology"));
        Files.writeString(cpu.resolve("cpu0/topology/core_id"), "0\n");
        Files.createDirectories(root.resolve("sys/devices/system/bus/cpu"));
        Files.createSymbolicLink(cpu.resolve("cpu0/subsystem"), Path.of("../../bus/cpu"));
        Files.writeString(cpu.resolve("online"), "0-1\n");
        Files.writeString(cpu.resolve("kernel_max"), "8191\n");
        Path probe = Files.writeString(cpu.resolve("probe"), "");
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("-w-------"));
        fs = new ProcFs(List.of(VirtualFile.values()), Renderer.ofText((file, pid) -> "ours: " + file.path() + "\n"), root);
        cpuDir = lookup("sys/devices/system/cpu").ino();
    }

    private NodeAttr lookup(String path) throws FsException {
        NodeAttr attr = fs.getattr(Filesystem.ROOT);
        for (String name : path.split("/")) attr = fs.lookup(attr.ino(), name);
        return attr;
    }

    private String readAll(long ino) throws FsException {
        long handle = fs.open(ino, 0);
        try {
            return new String(fs.read(ino, handle, 0, 1 << 16, 1).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } finally {
            fs.release(handle);
        }
    }

    @Test
    void listsTheHostsEntriesWithOursInsteadOfTheHostsOnline() throws FsException {
        List<DirEntry> entries = fs.readdir(cpuDir);
        assertEquals(List.of(".", "..", "cpu0", "kernel_max", "offline", "online", "possible", "present", "probe"),
                entries.stream().map(DirEntry::name).toList());
        NodeAttr online = entries.stream().filter(e -> e.name().equals("online")).findFirst().orElseThrow().attr();
        assertTrue(online.ino() < HostMirror.FIRST_INO, "online is ours, not the host's");
        assertEquals("ours: sys/devices/system/cpu/online\n", readAll(lookup("sys/devices/system/cpu/online").ino()));
    }

    @Test
    void hostFilesAndDirectoriesAreReadableBelowIt() throws FsException {
        NodeAttr coreId = lookup("sys/devices/system/cpu/cpu0/topology/core_id");
        assertTrue(coreId.ino() >= HostMirror.FIRST_INO);
        assertEquals(NodeAttr.Kind.FILE, coreId.kind());
        assertEquals("0\n", readAll(coreId.ino()));
        assertEquals("8191\n", readAll(lookup("sys/devices/system/cpu/kernel_max").ino()));
        assertEquals(coreId, lookup("sys/devices/system/cpu/cpu0/topology/core_id"), "the same inode every time");
        assertEquals(List.of(".", "..", "subsystem", "topology"),
                fs.readdir(lookup("sys/devices/system/cpu/cpu0").ino()).stream().map(DirEntry::name).toList());
    }

    @Test
    void symlinksAreShownAsTheHostHasThem() throws FsException {
        NodeAttr link = lookup("sys/devices/system/cpu/cpu0/subsystem");
        assertEquals(NodeAttr.Kind.SYMLINK, link.kind());
        assertEquals("../../bus/cpu", fs.readlink(link.ino()));
        assertEquals(FsException.Failure.NOT_A_SYMLINK,
                assertThrows(FsException.class, () -> fs.readlink(cpuDir)).failure());
    }

    @Test
    void nothingIsWritableAndWriteOnlyFilesStayUnreadable() throws FsException {
        assertEquals(0444, lookup("sys/devices/system/cpu/kernel_max").permissions() & 0666);
        assertEquals(0, lookup("sys/devices/system/cpu/probe").permissions());
        long kernelMax = lookup("sys/devices/system/cpu/kernel_max").ino();
        assertEquals(FsException.Failure.READ_ONLY,
                assertThrows(FsException.class, () -> fs.open(kernelMax, 2)).failure());
    }

    @Test
    void namesThatWouldLeaveTheDirectoryAreNotFound() {
        for (String name : List.of("..", ".", "")) {
            assertEquals(FsException.Failure.NOT_FOUND,
                    assertThrows(FsException.class, () -> fs.lookup(cpuDir, name)).failure(), name);
        }
    }

    @Test
    void aMissingHostEntryIsNotFound() {
        assertEquals(FsException.Failure.NOT_FOUND,
                assertThrows(FsException.class, () -> fs.lookup(cpuDir, "cpu9")).failure());
    }
}
