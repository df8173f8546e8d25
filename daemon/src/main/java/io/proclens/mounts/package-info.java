/**
 * What is mounted where: the kernel's mount tables (/proc/PID/mountinfo) parsed in one place for every package (the
 * daemon's own mount, the cgroup hierarchies, the binds of our files in containers); our mountpoint's state, FUSE
 * connection and detach ({@link io.proclens.mounts.Mountpoint}); the names of the files in /run/proclens. Below it
 * is only {@link io.proclens.sys}.
 */
package io.proclens.mounts;
