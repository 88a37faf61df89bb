package org.loralab.kernel.exec;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Stops a cell before it fills the heap: when the old generation is still over {@link #THRESHOLD} of its maximum after
 * a collection, the running cell is stopped as out of memory. Waiting for the JVM's own OutOfMemoryError is too late:
 * by then the kernel's threads and ZMQ's I/O thread fail their allocations as well, and the kernel is lost.
 */
final class HeapGuard {

    static final double THRESHOLD = 0.85;

    private HeapGuard() {
    }

    private static boolean heapFull() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory() > THRESHOLD * rt.maxMemory();
    }

    static void install(Runnable onExhausted) {
        try {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                long max = pool.getUsage().getMax();
                if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported() && max > 0) {
                    pool.setCollectionUsageThreshold((long) (max * THRESHOLD));
                }
            }
            NotificationListener listener = (notification, handback) -> {
                // a full survivor space alone is normal: act only when the whole heap is that full
                if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())
                        && heapFull()) {
                    onExhausted.run();
                }
            };
            ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(listener, null, null);
        } catch (RuntimeException | LinkageError e) {
            // without the guard a cell that fills the heap still fails with the JVM's OutOfMemoryError
        }
    }
}
