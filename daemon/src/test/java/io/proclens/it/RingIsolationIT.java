package io.proclens.it;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link IsolationIT} over FUSE over io_uring: requests reach per-CPU queues whose threads each serve their own, and
 * every reader must still see only its own cgroup.
 */
@ExtendWith(UringEnabled.class)
class RingIsolationIT extends IsolationIT {
    @Override
    String[] daemonArgs() {
        return new String[]{"--single-process", "--transport", "io-uring"};
    }
}
