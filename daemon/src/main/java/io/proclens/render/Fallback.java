package io.proclens.render;

import java.util.Locale;

/** Why an answer was the host's file (or, for a NUMA node's file, the host's directory) instead of the caller's. */
public enum Fallback {
    /** The reader's pid could not be resolved to a cgroup (it exited, or its /proc files could not be read). */
    CALLER_UNRESOLVABLE,
    /** The cgroup's numbers could not be read (removed mid-read, a controller missing). */
    CGROUP_UNREADABLE,
    /** diskstats (or vmstat's page-in and page-out) without an io or blkio controller for the cgroup. */
    NO_IO_CONTROLLER,
    /** A pressure file without the cgroup's PSI file. */
    NO_PSI_FILE,
    /** stat's task lines only: the cgroup's tasks could not be counted. */
    TASKS_UNCOUNTABLE,
    /** A file of sys/devices/system/node could not be rendered for the caller. */
    NODE_FILE_UNRENDERABLE;

    /** As a metric's label value: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
