package io.proclens.render;

import io.proclens.cgroup.CgroupLayout;
import io.proclens.cgroup.MemoryAndCpuReader;
import io.proclens.cgroup.CpuAccounting;
import io.proclens.cgroup.IoAccounting;
import io.proclens.cgroup.Pressure;
import io.proclens.cgroup.Processes;
import io.proclens.cgroup.SlabAccounting;
import io.proclens.cgroup.TaskStates;

/** Where the renderer's inputs come from: the cgroup layout and one reader per kind of cgroup file. */
public record Sources(CgroupLayout layout, Processes processes, MemoryAndCpuReader memoryAndCpu, CpuAccounting cpuTimes,
                      IoAccounting io, SlabAccounting slab, TaskStates tasks, Pressure pressure) {

    /** The readers of this machine's cgroups and /proc. */
    public static Sources ofHost(CgroupLayout layout) {
        return new Sources(layout, new Processes(), new MemoryAndCpuReader(), new CpuAccounting(), new IoAccounting(),
                new SlabAccounting(), new TaskStates(), new Pressure());
    }
}
