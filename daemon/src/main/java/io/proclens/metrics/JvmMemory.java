package io.proclens.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * This JVM's memory, in bytes: heap after the last collection, heap now, metaspace. (The snapshots' native memory
 * is in no MXBean, not even the "direct" buffer pool: only the process's RSS shows it.)
 */
public record JvmMemory(long heapAfterGc, long heapUsed, long metaspace) {
    public static JvmMemory now() {
        long afterGc = 0, used = 0, metaspace = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                // Each pool as its last collection left it: an old generation only changes at a full collection.
                MemoryUsage collected = pool.getCollectionUsage();
                if (collected != null) afterGc += collected.getUsed();
                used += pool.getUsage().getUsed();
            } else if (pool.getName().equals("Metaspace")) {
                metaspace = pool.getUsage().getUsed();
            }
        }
        return new JvmMemory(afterGc, used, metaspace);
    }
}
