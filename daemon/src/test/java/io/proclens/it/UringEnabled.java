package io.proclens.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns FUSE over io_uring on for a test class ({@code enable_uring} of the fuse module: new connections only; the
 * kernel offers it in their INIT) and puts the value back after it. Skips the class on a kernel without it.
 */
final class UringEnabled implements BeforeAllCallback, AfterAllCallback {
    static final Path PARAMETER = Path.of("/sys/module/fuse/parameters/enable_uring");
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(UringEnabled.class);

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Host.assumeRootWithFuse();
        Assumptions.assumeTrue(Files.exists(PARAMETER),
                "this kernel has no FUSE over io_uring (Linux 6.14+ with CONFIG_FUSE_IO_URING): no " + PARAMETER);
        String before = Files.readString(PARAMETER).strip();
        context.getStore(NAMESPACE).put("before", before);
        set("Y");
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        String before = context.getStore(NAMESPACE).get("before", String.class);
        if (before != null) set(before);
    }

    static void set(String value) throws IOException {
        Files.writeString(PARAMETER, value);
    }

    static String get() throws IOException {
        return Files.readString(PARAMETER).strip();
    }
}
