package io.proclens.it;

import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.stream.Stream;

/**
 * {@link ClientMatrixIT} with proclens served over FUSE over io_uring: the same programs in the same containers must
 * see the same numbers (LXCFS, the reference, is unchanged).
 */
@ExtendWith(UringEnabled.class)
class RingClientMatrixIT extends ClientMatrixIT {
    @Override
    String[] proclensOptions(String[] options) {
        return Stream.concat(Arrays.stream(options), Stream.of("--single-process", "--transport", "io-uring"))
                .toArray(String[]::new);
    }

    @Override
    String tableSuffix() {
        return "-io-uring";
    }
}
