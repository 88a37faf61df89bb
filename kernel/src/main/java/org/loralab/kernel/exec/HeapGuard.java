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

    static void install(Runnable onExhausted) {
        try {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                long max = pool.getUsage().getMax();
                // the old generation only: eden and survivor spaces (no usage threshold) are full after many collections
                if (pool.getType() == MemoryType.HEAP && pool.isUsageThresholdSupported()
                        && pool.isCollectionUsageThresholdSupported() && max > 0) {
                    pool.setCollectionUsageThreshold((long) (max * THRESHOLD));
                }
            }
            NotificationListener listener = (notification, handback) -> {
                if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
                    onExhausted.run();
                }
            };
            ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(listener, null, null);
        } catch (RuntimeException | LinkageError e) {
            // without the guard a cell that fills the heap still fails with the JVM's OutOfMemoryError
        }
    }
}
