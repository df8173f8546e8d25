/**
 * One pure function per virtual file: the host's file and the cgroup's numbers in, the file's text out, no I/O.
 * Each view parses, computes into a record and renders, and is tested from fixture files (and properties) with no
 * mount and no root. Uses the {@code cgroup} package's value records and {@code load.Loadavg}.
 */
package io.proclens.view;
