/**
 * sysinfo(2) for containers: the OCI runtime hands us each container's seccomp user-notification listener
 * ({@link io.proclens.sysinfo.RuntimeSocket}), and {@link io.proclens.sysinfo.SysinfoAgent} answers each sysinfo call
 * of the container with its own numbers, written into the caller's {@code struct sysinfo}
 * ({@link io.proclens.sysinfo.SysinfoStruct}); anything it cannot answer runs as the real system call.
 */
package io.proclens.sysinfo;
