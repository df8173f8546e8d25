package io.proclens.it;

import org.junit.jupiter.api.extension.ExtendWith;

/** {@link FuseOpsIT}'s requests served over FUSE over io_uring: our own decoding of every op, not libfuse's. */
@ExtendWith(UringEnabled.class)
@MountOptions({"--single-process", "--transport", "io-uring"})
class RingFuseOpsIT extends FuseOpsIT {
}
