package io.proclens.cgroup;

import static io.proclens.Hostile.outcome;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proclens.Hostile;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Hostile mountinfo for CgroupLayout.parse and hostile /proc/PID/cgroup for cgroupOf. */
class CgroupLayoutFuzzTest {
    private static final Path ROOT = Path.of("/nonexistent-fuzz-root");
    private static final CgroupLayout HYBRID = CgroupLayout.parse(Fixtures.text("hybrid/mountinfo"), ROOT);
    private static final CgroupLayout V2 = CgroupLayout.parse(Fixtures.text("v2/mountinfo"), ROOT);
    private static final CgroupLayout BOUND = CgroupLayout.parse(
            "40 31 0:37 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                    + "41 31 0:38 /docker/abc /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n", ROOT);

    @Provide
    Arbitrary<String> mountinfo() {
        return Hostile.text(Fixtures.text("hybrid/mountinfo"), Fixtures.text("v2/mountinfo"),
                "35 31 0:32 / /sys/fs/cgroup/mem\\040ory rw,relatime shared:5 master:2 - cgroup cgroup rw,memory,name=x\n",
                "41 31 0:38 /a\\134b /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    }

    @Provide
    Arbitrary<String> procPidCgroup() {
        return Hostile.text(Fixtures.text("hybrid/proc-self-cgroup"), Fixtures.text("v2/proc-pid-cgroup"),
                "4:memory:/docker/abc/x\n0::/docker/abc/y (deleted)\n", "3:cpu,cpuacct:/a/../b\n1:name=systemd:/\n");
    }

    /** Lines "id:controllers:path" whose parts are hostile, a structure the mutations of whole files rarely keep. */
    @Provide
    Arbitrary<String> cgroupLines() {
        Arbitrary<String> line = net.jqwik.api.Combinators.combine(
                Hostile.text("4", "0", "12"), Hostile.text("memory", "", "cpu,cpuacct", "name=systemd"),
                Hostile.text("/docker/abc", "/", "/a/b (deleted)", "/docker/abc/x/../y")).as((a, b, c) -> a + ":" + b + ":" + c);
        return line.list().ofMaxSize(6).map(lines -> String.join("\n", lines));
    }

    @Property
    void hostileCgroupLinesGiveDirectoriesBelowTheirMountOrMalformed(@ForAll("cgroupLines") String text) {
        procPidCgroupGivesDirectoriesBelowTheirMountOrMalformed(text);
    }

    @Property
    void mountinfoGivesALayoutOrACgroupException(@ForAll("mountinfo") String text) {
        CgroupLayout layout = outcome(() -> CgroupLayout.parse(text, ROOT), CgroupException.class, null, text);
        if (layout == null) return;
        for (CgroupLayout.Hierarchy h : layout.hierarchies()) assertTrue(h.mountPoint().startsWith(ROOT), h::toString);
    }

    @Property
    void procPidCgroupGivesDirectoriesBelowTheirMountOrMalformed(@ForAll("procPidCgroup") String text) {
        for (CgroupLayout layout : new CgroupLayout[] {HYBRID, V2, BOUND}) {
            Cgroup cgroup = outcome(() -> layout.cgroupOf(text), CgroupException.class, null, text);
            if (cgroup == null) continue;
            for (Cgroup.Location at : cgroup.locations().values()) {
                assertTrue(at.dir().startsWith(at.hierarchyRoot()) && at.hierarchyRoot().startsWith(ROOT), at::toString);
                assertTrue(at.dir().normalize().startsWith(at.hierarchyRoot()), () -> "escapes its mount: " + at);
            }
        }
    }
}
