/**
 * io_uring through raw system calls: a ring with 128-byte submission entries (what {@code IORING_OP_URING_CMD}
 * carries its command in), mapped as memory segments, its heads and tails read with acquire and written with release.
 * No liburing: the JVM links only the C library.
 */
package io.proclens.uring;
