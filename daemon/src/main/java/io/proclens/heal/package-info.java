/**
 * Heals containers whose bind mounts of proclens' (or LXCFS's) files point to a mount whose daemon is gone: it walks
 * every mount namespace for those binds ({@link io.proclens.heal.ProcBinds}), and replaces each stale bind, inside the
 * container's own mount namespace, by a bind of the same file from the live mount ({@link io.proclens.sys.MountCalls}).
 */
package io.proclens.heal;
