/**
 * What is mounted where: the kernel's mount tables (/proc/PID/mountinfo) parsed in one place for every package (the
 * daemon's own mount, the cgroup hierarchies, the binds of our files in containers), and the names of the files in
 * /run/proclens. Depends on nothing else of ours.
 */
package io.proclens.mounts;
