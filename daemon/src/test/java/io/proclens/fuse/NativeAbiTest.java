package io.proclens.fuse;

import io.proclens.bindings.fuse_ctx;
import io.proclens.bindings.fuse_entry_param;
import io.proclens.bindings.fuse_file_info;
import io.proclens.bindings.fuse_lowlevel_ops;
import io.proclens.bindings.stat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The layouts we use from Java against what the C compiler makes of libfuse's headers on this machine:
 * struct sizes and offsets of the generated bindings, and the bitfield bits that jextract cannot generate
 * (direct_io, keep_cache, noflush in fuse_file_info), which {@link Operations} sets by hand.
 */
class NativeAbiTest {
    static final String PROBE = """
            #define FUSE_USE_VERSION 314
            #include <fuse3/fuse_lowlevel.h>
            #include <stdio.h>
            #include <stddef.h>
            #include <string.h>
            int main(void) {
                struct fuse_file_info fi;
                memset(&fi, 0, sizeof fi); fi.direct_io = 1;
                printf("direct_io %u\\n", *(unsigned *) ((char *) &fi + 4));
                memset(&fi, 0, sizeof fi); fi.keep_cache = 1;
                printf("keep_cache %u\\n", *(unsigned *) ((char *) &fi + 4));
                memset(&fi, 0, sizeof fi); fi.noflush = 1;
                printf("noflush %u\\n", *(unsigned *) ((char *) &fi + 4));
                printf("fuse_file_info %zu\\n", sizeof(struct fuse_file_info));
                printf("fuse_file_info.fh %zu\\n", offsetof(struct fuse_file_info, fh));
                printf("fuse_entry_param %zu\\n", sizeof(struct fuse_entry_param));
                printf("fuse_entry_param.attr %zu\\n", offsetof(struct fuse_entry_param, attr));
                printf("fuse_entry_param.entry_timeout %zu\\n", offsetof(struct fuse_entry_param, entry_timeout));
                printf("stat %zu\\n", sizeof(struct stat));
                printf("stat.st_mode %zu\\n", offsetof(struct stat, st_mode));
                printf("stat.st_mtim %zu\\n", offsetof(struct stat, st_mtim));
                printf("fuse_ctx.pid %zu\\n", offsetof(struct fuse_ctx, pid));
                printf("fuse_lowlevel_ops %zu\\n", sizeof(struct fuse_lowlevel_ops));
                return 0;
            }
            """;

    static final Map<String, Long> C = new HashMap<>();

    @BeforeAll
    static void compileAndRunProbe(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(Files.exists(Path.of("/usr/include/fuse3/fuse_lowlevel.h")), "needs libfuse3-dev's headers");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "needs a C compiler at /usr/bin/cc");
        Path source = Files.writeString(dir.resolve("probe.c"), PROBE);
        Path binary = dir.resolve("probe");
        run("/usr/bin/cc", "-o", binary.toString(), source.toString());
        for (String line : run(binary.toString()).split("\n")) {
            String[] parts = line.split(" ");
            C.put(parts[0], Long.parseLong(parts[1]));
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }

    @Test
    void fileInfoBitsSetByHandAreTheCompilersBits() {
        assertEquals(C.get("direct_io"), (long) Operations.DIRECT_IO_BIT);
        assertEquals(C.get("keep_cache"), (long) Operations.KEEP_CACHE_BIT);
        assertEquals(C.get("noflush"), (long) Operations.NOFLUSH_BIT);
        assertEquals(4, Operations.FILE_INFO_BITS_OFFSET);
    }

    @Test
    void generatedLayoutsMatchTheCompiler() {
        assertEquals(C.get("fuse_file_info"), fuse_file_info.sizeof());
        assertEquals(C.get("fuse_file_info.fh"), fuse_file_info.fh$offset());
        assertEquals(C.get("fuse_entry_param"), fuse_entry_param.sizeof());
        assertEquals(C.get("fuse_entry_param.attr"), fuse_entry_param.attr$offset());
        assertEquals(C.get("fuse_entry_param.entry_timeout"), fuse_entry_param.entry_timeout$offset());
        assertEquals(C.get("stat"), stat.sizeof());
        assertEquals(C.get("stat.st_mode"), stat.st_mode$offset());
        assertEquals(C.get("stat.st_mtim"), stat.st_mtim$offset());
        assertEquals(C.get("fuse_ctx.pid"), fuse_ctx.pid$offset());
        assertEquals(C.get("fuse_lowlevel_ops"), fuse_lowlevel_ops.sizeof());
    }
}
