package io.proclens.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlabinfoViewTest {

    /** This machine's /proc/slabinfo (kernel 6.18, SLUB). */
    private static final String HOST = Fixtures.read("disk/slabinfo-host.txt");

    /** The shape of a 4.x kernel's memory.kmem.slabinfo for a cgroup with kmem accounting on. */
    private static final String CGROUP = """
            slabinfo - version: 2.1
            # name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> \
            <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>
            dentry               378    378    192   21    1 : tunables    0    0    0 : slabdata     18     18      0
            inode_cache           52     52    608   13    2 : tunables    0    0    0 : slabdata      4      4      0
            """;

    @Test
    void theHostFixtureIsASlabinfo() {
        assertTrue(SlabinfoView.parse(HOST), HOST.substring(0, 40));
    }

    @Test
    void theCgroupsOwnCachesWhereTheKernelListsThem() {
        assertEquals(CGROUP, SlabinfoView.render(HOST, Optional.of(CGROUP)));
    }

    @Test
    void noCgroupFileGivesTheHosts() {
        // cgroup v2, no memory controller, no file, or EIO: the reader gives nothing.
        assertEquals(HOST, SlabinfoView.render(HOST, Optional.empty()));
    }

    @Test
    void theEmptyFileOfKernelsSince59GivesTheHosts() {
        // LXCFS 5.0.3 also falls back here (it cannot map an empty file into memory): never an empty /proc/slabinfo.
        assertEquals(HOST, SlabinfoView.render(HOST, Optional.of("")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "slabinfo - version: 2.0\n# name ...\n",
            "slabinfo - version: 2.1x\n",
            "dentry 378 378 192 21 1 : tunables 0 0 0 : slabdata 18 18 0\n",
            " slabinfo - version: 2.1\n",
            "\nslabinfo - version: 2.1\n",
    })
    void aTextWithoutTheHeaderGivesTheHosts(String text) {
        assertEquals(HOST, SlabinfoView.render(HOST, Optional.of(text)));
    }

    @Test
    void theHeaderAloneIsAnEmptySlabinfo() {
        // A cgroup with no accounted caches yet: a valid, empty list, which is its truth.
        assertEquals("slabinfo - version: 2.1\n", SlabinfoView.render(HOST, Optional.of("slabinfo - version: 2.1\n")));
        assertEquals("slabinfo - version: 2.1", SlabinfoView.render(HOST, Optional.of("slabinfo - version: 2.1")));
    }

    @Test
    void trailingBlanksAfterTheHeaderAreTolerated() {
        String text = "slabinfo - version: 2.1 \r\n# name\n";
        assertEquals(text, SlabinfoView.render(HOST, Optional.of(text)));
    }
}
