package io.proclens.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static io.proclens.it.ProcFiles.kb;
import static io.proclens.it.ProcFiles.processors;
import static io.proclens.it.ProcFiles.uptime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Readers in user namespaces, as in rootless and `--userns-remap` containers: root inside maps to an unprivileged
 * uid outside, and the view must still be the reader's own cgroup's, with nothing writable.
 */
@ExtendWith(ServedMount.class)
class UserNamespaceIT {
    static final long MIB = 1024 * 1024;
    /** An unprivileged user, as a remapped container's root is on the host. */
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    @TempDir
    Path temp;

    @BeforeEach
    void needsRootFuseAndUserNamespaces() throws Exception {
        Host.assumeRootWithFuse();
        // JUnit makes the temp dir root's only: the readers, nobody on the host, must reach the mount below it
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        assumeTrue(Host.hasCommand("unshare") && Host.hasCommand("setpriv"), "needs unshare and setpriv (util-linux)");
        Host.Result probe = Host.run(concat(AS_NOBODY, "unshare", "--user", "--map-root-user", "id", "-u"));
        assumeTrue(probe.status() == 0 && probe.output().strip().equals("0"),
                "this kernel does not let an unprivileged user create a user namespace: " + probe.output().strip());
    }

    @Test
    @Tag(CgroupV2VmIT.LAYOUT)
    void unprivilegedRootOfAUserNamespaceReadsItsOwnCgroupsView() throws Exception {
        try (Daemon daemon = Daemon.start(temp.resolve("mnt"));
             TestCgroup small = TestCgroup.create(256 * MIB, "0");
             TestCgroup other = TestCgroup.create(512 * MIB, "0")) {
            // nobody outside, root inside its own user, pid, mount and cgroup namespaces: a rootless container
            String inside = small.run(concat(AS_NOBODY, "unshare", "--user", "--map-root-user", "--pid", "--fork",
                    "--mount-proc", "--cgroup", "sh", "-c",
                    "id -u; cat /proc/self/uid_map; sleep 0.2; cat " + daemon.file("proc/uptime")
                            + " " + daemon.file("proc/meminfo") + " " + daemon.file("proc/cpuinfo")
                            + " " + daemon.file("sys/devices/system/cpu/online")).toArray(String[]::new));
            List<String> lines = inside.lines().toList();
            assertEquals("0", lines.get(0), "not root inside: " + inside);
            assertTrue(lines.get(1).strip().matches("0\\s+65534\\s+1"), "not nobody outside: " + inside);
            double[] uptime = uptime(lines.get(2));
            assertTrue(uptime[0] >= 0.1 && uptime[0] < 5, "the new pid namespace's uptime, not the host's: " + inside);
            assertEquals(262144, kb(inside, "MemTotal"), inside);
            assertEquals(List.of(0), processors(inside), inside);
            assertTrue(inside.endsWith("\n0\n"), "online: " + inside);

            // the same reader in another cgroup sees that cgroup's numbers, not the first one's
            String beside = other.run(concat(AS_NOBODY, "unshare", "--user", "--map-root-user", "--cgroup",
                    "cat", daemon.file("proc/meminfo").toString()).toArray(String[]::new));
            assertEquals(524288, kb(beside, "MemTotal"), beside);
        }
    }

    @Test
    void rootOfAUserNamespaceCanWriteNothing(Daemon daemon) throws Exception {
        String meminfo = daemon.file("proc/meminfo").toString();
        String proc = daemon.file("proc").toString();
        // each attempt prints its outcome; none may succeed (the shell's own message says why)
        String script = String.join("; ",
                "head -1 " + meminfo,
                "head -1 " + daemon.file("proc/slabinfo") + " && echo READ-SLABINFO",
                "echo x > " + meminfo + " && echo WROTE",
                "touch " + proc + "/new && echo CREATED",
                "mkdir " + proc + "/dir && echo MKDIR",
                "rm -f " + meminfo + " && echo REMOVED",
                "chmod 666 " + meminfo + " && echo CHMOD",
                "mv " + meminfo + " " + proc + "/moved && echo MOVED",
                "true");
        Host.Result result = Host.run(concat(AS_NOBODY, "unshare", "--user", "--map-root-user", "sh", "-c", script));
        for (String forbidden : List.of("READ-SLABINFO", "WROTE", "CREATED", "MKDIR", "REMOVED", "CHMOD", "MOVED")) {
            assertTrue(!result.output().contains(forbidden), forbidden + ": " + result.output());
        }
        assertTrue(result.output().startsWith("MemTotal:"), "it can read: " + result.output());
        assertTrue(result.output().contains("Read-only file system"), result.output());
        // slabinfo is root's only, as the host's: a remapped root is not root
        assertTrue(result.output().lines().anyMatch(l -> l.contains("slabinfo") && l.endsWith("Permission denied")),
                result.output());
        assertTrue(Files.readString(daemon.file("proc/slabinfo")).startsWith("slabinfo - version"));
        assertEquals(List.of("cpuinfo", "diskstats", "loadavg", "meminfo"),
                Host.run("ls", proc).output().lines().limit(4).toList());
        assertTrue(kb(Files.readString(daemon.file("proc/meminfo")), "MemTotal") > 0);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
