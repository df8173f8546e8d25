/**
 * The FUSE session on libfuse's low-level API through the generated bindings: loading libfuse 3.14 to 3.18
 * ({@link io.proclens.fuse.LibfuseLoader}), mounting and taking over a mounted descriptor, the loop threads
 * ({@link io.proclens.fuse.FuseSession}), and the op upcalls ({@link io.proclens.fuse.Operations}), which convert,
 * ask the {@code fs.Filesystem} and reply exactly once on every path. The only package that touches libfuse.
 */
package io.proclens.fuse;
