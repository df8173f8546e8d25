/**
 * The one door to the C library for what the generated bindings (libfuse's header) do not declare:
 * {@link io.proclens.sys.Libc} makes every call (errno captured, a failure a {@link io.proclens.sys.CallFailed},
 * EINTR retried where a call blocks), {@link io.proclens.sys.Posix} the sockets, reads, writes and polls of the
 * hand-over, {@link io.proclens.sys.MountCalls} the mount syscalls of remount, and
 * {@link io.proclens.sys.RawFiles} the allocation-free reads of the hot path. Depends on nothing else in proclens.
 */
package io.proclens.sys;
