package io.proclens.cgroup;

import static io.proclens.cgroup.Fixtures.assertThrowsKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PressureTest {
    private final Pressure pressure = new Pressure();

    /** A real PSI file of this machine, from test resources pressure/ (see its README). */
    static String psi(String name) {
        try (InputStream in = PressureTest.class.getResourceAsStream("/pressure/" + name)) {
            if (in == null) throw new IllegalStateException("missing fixture /pressure/" + name);
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture layout copied to temp, and the cgroup of its /proc/PID/cgroup text. */
    static Cgroup cgroupOf(String fixture, String procPidCgroup, Path temp) {
        Path copy = Fixtures.copy(fixture, temp.resolve(fixture));
        CgroupLayout layout = CgroupLayout.parse(Fixtures.read(copy.resolve("mountinfo")), copy.resolve("root"));
        return layout.cgroupOf(Fixtures.read(copy.resolve(procPidCgroup)));
    }

    static void writePsi(Path dir, String prefix) {
        for (String resource : new String[]{"cpu", "io", "memory"}) {
            Fixtures.write(dir.resolve(resource + ".pressure"), psi(prefix + resource + ".pressure"));
        }
    }

    @Nested
    class V2 {
        @Test
        void theContainersOwnFiles(@TempDir Path temp) {
            Cgroup cgroup = cgroupOf("v2", "proc-pid-cgroup", temp);
            Path dir = cgroup.unified().orElseThrow().dir();
            assertEquals("docker-4f1c2a.scope", dir.getFileName().toString());
            writePsi(dir, "cgroup-");
            writePsi(dir.getParent(), "unified-root-"); // the parent's must not be read

            assertEquals(Optional.of(psi("cgroup-cpu.pressure")), pressure.read(cgroup, "cpu"));
            assertEquals(Optional.of(psi("cgroup-io.pressure")), pressure.read(cgroup, "io"));
            assertEquals(Optional.of(psi("cgroup-memory.pressure")), pressure.read(cgroup, "memory"));
        }

        @Test
        void psiDisabledOrHiddenFilesAreAbsent(@TempDir Path temp) {
            // kernels without PSI, booted with psi=0, or cgroup.pressure 0 (6.1+): no pressure files at all
            Cgroup cgroup = cgroupOf("v2", "proc-pid-cgroup", temp);

            assertEquals(Optional.empty(), pressure.read(cgroup, "cpu"));
            assertEquals(Optional.empty(), pressure.read(cgroup, "memory"));
        }

        @Test
        void aRemovedCgroupIsGone(@TempDir Path temp) {
            Cgroup cgroup = cgroupOf("v2", "proc-pid-cgroup", temp);
            Fixtures.deleteTree(cgroup.unified().orElseThrow().dir());

            assertThrowsKind(CgroupException.Kind.GONE, () -> pressure.read(cgroup, "io"));
        }
    }

    @Nested
    class Hybrid {
        @Test
        void theUnifiedHierarchysFiles(@TempDir Path temp) {
            // this machine: every v1 controller in its own hierarchy, cgroup2 at /sys/fs/cgroup/unified, "0::/"
            Cgroup cgroup = cgroupOf("hybrid", "proc-self-cgroup", temp);
            Path dir = cgroup.unified().orElseThrow().dir();
            assertEquals("unified", dir.getFileName().toString());
            writePsi(dir, "unified-root-");

            assertEquals(Optional.of(psi("unified-root-cpu.pressure")), pressure.read(cgroup, "cpu"));
            assertEquals(Optional.of(psi("unified-root-io.pressure")), pressure.read(cgroup, "io"));
            assertEquals(Optional.of(psi("unified-root-memory.pressure")), pressure.read(cgroup, "memory"));
        }

        @Test
        void oneFileMissing(@TempDir Path temp) {
            Cgroup cgroup = cgroupOf("hybrid", "proc-self-cgroup", temp);
            Path dir = cgroup.unified().orElseThrow().dir();
            writePsi(dir, "unified-root-");
            Fixtures.delete(dir.resolve("io.pressure"));

            assertEquals(Optional.empty(), pressure.read(cgroup, "io"));
            assertEquals(Optional.of(psi("unified-root-cpu.pressure")), pressure.read(cgroup, "cpu"));
        }
    }

    @Test
    void aV1OnlyLayoutHasNoPressure(@TempDir Path temp) {
        Cgroup cgroup = cgroupOf("v1-comounted", "proc-pid-cgroup", temp);
        assertEquals(Optional.empty(), cgroup.unified());

        assertEquals(Optional.empty(), pressure.read(cgroup, "cpu"));
    }

    @Nested
    class ReadErrors {
        Cgroup cgroup(Path temp) {
            Cgroup cgroup = cgroupOf("v2", "proc-pid-cgroup", temp);
            writePsi(cgroup.unified().orElseThrow().dir(), "cgroup-");
            return cgroup;
        }

        @Test
        void eopnotsuppIsAbsent(@TempDir Path temp) {
            // how kernels before 6.1 answer a read of a pressure file when PSI is disabled at boot
            Pressure failing = new Pressure(file -> {
                throw new IOException("Operation not supported");
            });
            Pressure failingOpen = new Pressure(file -> {
                throw new FileSystemException(file.toString(), null, "Operation not supported");
            });

            assertEquals(Optional.empty(), failing.read(cgroup(temp), "cpu"));
            assertEquals(Optional.empty(), failingOpen.read(cgroup(temp.resolve("2")), "cpu"));
        }

        @Test
        void otherErrorsAreIoErrors(@TempDir Path temp) {
            Pressure denied = new Pressure(file -> {
                throw new FileSystemException(file.toString(), null, "Permission denied");
            });

            assertThrowsKind(CgroupException.Kind.IO_ERROR, () -> denied.read(cgroup(temp), "memory"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"CPU", "cpu.pressure", "irq", ""})
    void onlyCpuIoAndMemory(String resource, @TempDir Path temp) {
        Cgroup cgroup = cgroupOf("v2", "proc-pid-cgroup", temp);
        assertThrows(IllegalArgumentException.class, () -> pressure.read(cgroup, resource));
        assertThrows(IllegalArgumentException.class, () -> pressure.read(cgroup, null));
    }

    @Nested
    class KernelHasPsi {
        @Test
        void whenProcPressureCpuReads(@TempDir Path proc) {
            Fixtures.write(proc.resolve("pressure/cpu"), psi("proc-pressure-cpu"));
            assertEquals(true, Pressure.kernelHasPsi(proc));
        }

        @Test
        void notWithoutIt(@TempDir Path proc) {
            assertEquals(false, Pressure.kernelHasPsi(proc));
            Fixtures.write(proc.resolve("pressure/io"), psi("proc-pressure-io"));
            assertEquals(false, Pressure.kernelHasPsi(proc), "cpu is the one that tells");
        }

        @Test
        void notWhenItIsEmptyOrADirectory(@TempDir Path proc) throws IOException {
            Fixtures.write(proc.resolve("pressure/cpu"), "");
            assertEquals(false, Pressure.kernelHasPsi(proc));
            Files.delete(proc.resolve("pressure/cpu"));
            Files.createDirectory(proc.resolve("pressure/cpu"));
            assertEquals(false, Pressure.kernelHasPsi(proc));
        }

        @Test
        void thisMachine() {
            Path proc = Path.of("/proc");
            assumeTrue(Files.isDirectory(proc.resolve("self")), "no /proc here");
            assertEquals(Files.isReadable(proc.resolve("pressure/cpu")), Pressure.kernelHasPsi(proc));
        }
    }
}
