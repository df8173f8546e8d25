/**
 * Heals containers whose bind mounts of proclens' (or LXCFS's) files point to a mount whose daemon is gone: each
 * stale bind is replaced, inside the container's own mount namespace, by a bind of the same file from the live
 * mount. Uses {@link io.proclens.mounts} to find them and {@link io.proclens.sys.MountCalls} to move the mounts.
 */
package io.proclens.heal;
