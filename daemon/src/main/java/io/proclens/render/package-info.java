/**
 * The rendering service behind the virtual tree: which view serves which file for which caller, and where its
 * inputs come from. {@link io.proclens.render.CgroupRenderer} resolves the reading process to its cgroup
 * ({@link io.proclens.render.Callers}, cached and checked against pid reuse), reuses a cgroup's rendered file for
 * {@code --cache-ttl} and keeps /proc/stat's fields from going down ({@link io.proclens.render.StatFloors});
 * {@link io.proclens.render.Options} are the LXCFS switches, changed at run time as one record.
 * Uses {@code cgroup}, {@code view}, {@code cache}, {@code load} and the tree's {@code fs.Renderer} port.
 */
package io.proclens.render;
