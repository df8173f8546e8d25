package io.proclens.load;

import io.proclens.cgroup.Cgroup;
import io.proclens.cgroup.TaskCounts;

/**
 * Counts a cgroup's tasks now: {@link io.proclens.cgroup.TaskStates#count} in production, a fake in tests and
 * benchmarks. Called by the sampler thread only.
 */
@FunctionalInterface
public interface TaskCounter {
    /**
     * @throws io.proclens.cgroup.CgroupException GONE when the cgroup was removed (the sampler then stops tracking
     *                                            it); any other kind is logged once per cgroup and the sample
     *                                            skipped
     */
    TaskCounts count(Cgroup cgroup);
}
