/**
 * What is mounted where: the kernel's mount tables (/proc/PID/mountinfo) read per mount namespace, to find the
 * daemon's own mount and the bind mounts containers made of its files.
 */
package io.proclens.mounts;
