package io.proclens.cgroup;

import static io.proclens.cgroup.Fixtures.assertThrowsKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.cgroup.Cgroup.Controller;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlabAccountingTest {
    static final String LEAF = "memory/process_api/c92deddd162220ad030ee057934cf83d/";
    /** The shape of a 4.x kernel's memory.kmem.slabinfo for a cgroup with kmem accounting on. */
    static final String OLD_KERNEL = """
            slabinfo - version: 2.1
            # name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> \
            <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>
            dentry               378    378    192   21    1 : tunables    0    0    0 : slabdata     18     18      0
            inode_cache           52     52    608   13    2 : tunables    0    0    0 : slabdata      4      4      0
            """;

    private final SlabAccounting slabs = new SlabAccounting();
    private IoAccountingTest.Tree tree;

    @BeforeEach
    void copy(@TempDir Path temp) {
        tree = IoAccountingTest.Tree.of("io-hybrid", "proc-self-cgroup", temp);
    }

    @Test
    void thisKernelGivesAnEmptyFile() {
        // Since 5.9 the file only exists for old tools; the real one copied from this 6.18 machine is empty.
        assertEquals(Optional.of(""), slabs.slabinfo(tree.cgroup()));
    }

    @Test
    void anOlderKernelGivesTheCgroupsCaches() {
        tree.write(LEAF + "memory.kmem.slabinfo", OLD_KERNEL);
        assertEquals(Optional.of(OLD_KERNEL), slabs.slabinfo(tree.cgroup()));
    }

    @Test
    void anAbsentFileGivesNothing() {
        tree.delete(LEAF + "memory.kmem.slabinfo");
        assertEquals(Optional.empty(), slabs.slabinfo(tree.cgroup()));
    }

    @Test
    void anUnreadableFileGivesNothing() {
        // Older kernels answer EIO while kmem accounting is not active for the cgroup.
        SlabAccounting eio = new SlabAccounting(file -> {
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "read " + file, new IOException("EIO"));
        });
        assertEquals(Optional.empty(), eio.slabinfo(tree.cgroup()));
    }

    @Test
    void cgroupV2HasNoSuchFile(@TempDir Path temp) {
        IoAccountingTest.Tree v2 = IoAccountingTest.Tree.of("io-v2", "proc-pid-cgroup", temp);
        assertTrue(v2.cgroup().memory().isPresent(), "the fixture has a v2 memory controller");
        // Even if a file of that name were there, v2 has no such interface.
        v2.write("system.slice/docker-7d3e9a.scope/memory.kmem.slabinfo", OLD_KERNEL);
        assertEquals(Optional.empty(), slabs.slabinfo(v2.cgroup()));
    }

    @Test
    void noMemoryControllerGivesNothing() {
        Cgroup ioOnly = Cgroup.of(Map.of(Controller.IO, tree.cgroup().io().orElseThrow()));
        assertEquals(Optional.empty(), slabs.slabinfo(ioOnly));
    }

    @Test
    void aRemovedCgroupIsGone() {
        Fixtures.deleteTree(tree.cg(LEAF));
        assertThrowsKind(CgroupException.Kind.GONE, () -> slabs.slabinfo(tree.cgroup()));
    }

    @Test
    void anIoErrorOnARemovedCgroupIsGone() {
        SlabAccounting removing = new SlabAccounting(file -> {
            Fixtures.deleteTree(tree.cg(LEAF));
            throw new CgroupException(CgroupException.Kind.IO_ERROR, "read " + file, new IOException("ENODEV"));
        });
        assertThrowsKind(CgroupException.Kind.GONE, () -> removing.slabinfo(tree.cgroup()));
    }
}
