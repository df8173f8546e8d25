package io.proclens.cgroup;

/**
 * The tasks (threads) of a cgroup by scheduler state, as {@link TaskStates#count} found them at one moment.
 *
 * @param running         tasks in state R (runnable: running or waiting for a CPU)
 * @param uninterruptible tasks in state D (uninterruptible sleep, usually waiting for I/O); the kernel's load
 *                        average counts these as well (state I, idle kernel threads, it does not)
 * @param total           all tasks found, in any state
 * @param lastPid         the highest task id among them, 0 if there are none (LXCFS's "last pid"; the kernel's is
 *                        the last pid allocated in the reader's pid namespace, which a cgroup does not have)
 */
public record TaskCounts(int running, int uninterruptible, int total, int lastPid) {

    /** No tasks, or not counted yet. */
    public static final TaskCounts NONE = new TaskCounts(0, 0, 0, 0);

    /** @throws IllegalArgumentException if a number is negative or running + uninterruptible exceeds total */
    public TaskCounts {
        if (running < 0 || uninterruptible < 0 || total < 0 || lastPid < 0) {
            throw new IllegalArgumentException("negative task count: " + running + "/" + uninterruptible + "/"
                    + total + " last " + lastPid);
        }
        if ((long) running + uninterruptible > total) {
            throw new IllegalArgumentException(running + " running + " + uninterruptible
                    + " uninterruptible tasks exceed the total " + total);
        }
    }

    /** The tasks the load average counts: running plus uninterruptible (never overflows: at most {@link #total}). */
    public int active() {
        return running + uninterruptible;
    }
}
