package io.proclens.fs;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sys/devices/system/node for a reader: its nodes, its CPUs on each by its numbers, its files rendered for it. */
class NodeDirectoriesTest {
    static final int ON_NODE_ONE = 100;  // shown host CPUs 2 and 3, node 1
    static final int UNRESOLVED = 400;   // shown the host's

    @TempDir
    Path root;
    ProcFs fs;

    @BeforeEach
    void hostWithTwoNodes() throws Exception {
        Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        Path node = Files.createDirectories(root.resolve("sys/devices/system/node"));
        Files.writeString(node.resolve("online"), "0-1\n");
        Files.writeString(node.resolve("possible"), "0-1\n");
        for (int n = 0; n < 2; n++) {
            Path dir = Files.createDirectories(node.resolve("node" + n));
            Files.writeString(dir.resolve("cpulist"), (2 * n) + "-" + (2 * n + 1) + "\n");
            Files.writeString(dir.resolve("meminfo"), "Node " + n + " MemTotal: 1000 kB\n");
            Files.writeString(dir.resolve("distance"), "10 20\n");
            for (int c = 2 * n; c < 2 * n + 2; c++) {
                Files.createSymbolicLink(dir.resolve("cpu" + c), Path.of("../../cpu/cpu" + c));
            }
        }
        Renderer renderer = new Renderer() {
            @Override
            public MemorySegment render(VirtualFile file, int callerPid) {
                return Snapshots.of(new byte[0]);
            }

            @Override
            public int[] shownCpus(int callerPid) {
                return callerPid == ON_NODE_ONE ? new int[] {2, 3} : null;
            }

            @Override
            public int[] shownNodes(int callerPid) {
                return callerPid == ON_NODE_ONE ? new int[] {1} : null;
            }

            @Override
            public String nodeFile(int node, String name, int callerPid) {
                return callerPid == ON_NODE_ONE ? "reader's " + name + " of node " + node + "\n" : null;
            }
        };
        fs = new ProcFs(List.of(VirtualFile.values()), renderer, root);
    }

    private NodeAttr walk(String path, int pid) throws FsException {
        return ReaderWalk.walk(fs, path, pid);
    }

    private String read(String path, int pid) throws FsException {
        return ReaderWalk.read(fs, path, pid);
    }

    private List<String> names(String path, int pid) throws FsException {
        return fs.readdir(walk(path, pid).ino(), pid).stream().map(DirEntry::name).toList();
    }

    @Test
    void aReaderSeesItsNodesOnly() throws FsException {
        assertEquals(List.of(".", "..", "node1", "online", "possible"), names("sys/devices/system/node", ON_NODE_ONE));
        assertEquals(List.of(".", "..", "node0", "node1", "online", "possible"),
                names("sys/devices/system/node", UNRESOLVED));
        FsException hidden = assertThrows(FsException.class, () -> walk("sys/devices/system/node/node0", ON_NODE_ONE));
        assertEquals(FsException.Failure.NOT_FOUND, hidden.failure());
        assertTrue(walk("sys/devices/system/node/node1", ON_NODE_ONE).perReader(), "asked again at every lookup");
    }

    @Test
    void itsFilesAreRenderedForItAndTheHostsForOthers() throws FsException {
        assertEquals("reader's online of node -1\n", read("sys/devices/system/node/online", ON_NODE_ONE));
        assertEquals("0-1\n", read("sys/devices/system/node/online", UNRESOLVED));
        assertEquals("reader's meminfo of node 1\n", read("sys/devices/system/node/node1/meminfo", ON_NODE_ONE));
        assertEquals("reader's cpulist of node 1\n", read("sys/devices/system/node/node1/cpulist", ON_NODE_ONE));
        assertEquals("Node 0 MemTotal: 1000 kB\n", read("sys/devices/system/node/node0/meminfo", UNRESOLVED));
        assertEquals("10 20\n", read("sys/devices/system/node/node1/distance", ON_NODE_ONE), "the rest is the host's");
        assertEquals("0-1\n", read("sys/devices/system/node/possible", ON_NODE_ONE));
    }

    @Test
    void itsCpuLinksAreNumberedAsItsCpusAndPointAtItsCpuDirectories() throws FsException {
        assertEquals(List.of(".", "..", "cpu0", "cpu1", "cpulist", "distance", "meminfo"),
                names("sys/devices/system/node/node1", ON_NODE_ONE));
        NodeAttr link = walk("sys/devices/system/node/node1/cpu1", ON_NODE_ONE);
        assertEquals(NodeAttr.Kind.SYMLINK, link.kind());
        assertEquals("../../cpu/cpu1", fs.readlink(link.ino()));
        assertThrows(FsException.class, () -> walk("sys/devices/system/node/node1/cpu2", ON_NODE_ONE));
        assertEquals("../../cpu/cpu3", fs.readlink(walk("sys/devices/system/node/node1/cpu3", UNRESOLVED).ino()));
    }

    @Test
    void nodeNamesAreTheKernels() {
        for (String name : List.of("node0", "node7", "node1023")) assertTrue(NodeDirectories.isNodeName(name), name);
        for (String name : List.of("node", "node00", "nodes", "node-1", "node1a", "online")) {
            assertEquals(false, NodeDirectories.isNodeName(name), name);
        }
    }

    @Test
    void aHostWithoutNodesHasNoNodeDirectory() throws Exception {
        Path bare = Files.createDirectories(root.resolve("bare/sys/devices/system/cpu"));
        ProcFs plain = new ProcFs(List.of(VirtualFile.values()), Renderer.ofText((f, p) -> ""), root.resolve("bare"));
        long system = Filesystem.ROOT;
        for (String name : "sys/devices/system".split("/")) system = plain.lookup(system, name).ino();
        assertEquals(List.of(".", "..", "cpu"), plain.readdir(system).stream().map(DirEntry::name).toList());
        assertTrue(Files.isDirectory(bare));
    }
}
