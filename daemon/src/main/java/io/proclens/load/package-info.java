/**
 * Per-cgroup load averages for {@code /proc/loadavg}: {@link io.proclens.load.LoadAverages} samples every tracked
 * cgroup's runnable and uninterruptible tasks every 5 seconds and keeps the kernel's three exponential averages
 * ({@link io.proclens.load.Loadavg}) for readers that never block. Uses {@code cgroup} for the counts.
 */
package io.proclens.load;
