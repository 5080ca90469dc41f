package polyproc.worker;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;

import polyproc.internal.posix.Malloc;

/**
 * What a polyproc server's worker does between its preparation and saying ready, while the
 * machine is idle: it gives back the memory its boot used and no longer needs.
 */
final class Settling {
    private Settling() {}

    /**
     * Serial's old generation shrinks in steps over consecutive full collections (0, 10, 40,
     * then 100% of what is free beyond MaxHeapFreeRatio: HotSpot's ShrinkHeapInSteps): four.
     */
    private static final int FULL_COLLECTIONS = 4;
    private static final String FREE_MIN = "MinHeapFreeRatio";
    private static final String FREE_MAX = "MaxHeapFreeRatio";

    /**
     * Full collections with the heap allowed to keep only 10% free, then the ratios as they
     * were (a program's heap grows as usual), then glibc's free memory back: a lone idle worker
     * 272 MB PSS instead of 406 (docs/performance.md).
     */
    static void settle() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String min = vm.getVMOption(FREE_MIN).getValue();
        String max = vm.getVMOption(FREE_MAX).getValue();
        vm.setVMOption(FREE_MIN, "0"); // MinHeapFreeRatio <= MaxHeapFreeRatio at every step
        vm.setVMOption(FREE_MAX, "10");
        for (int i = 0; i < FULL_COLLECTIONS; i++) {
            System.gc();
        }
        vm.setVMOption(FREE_MAX, max);
        vm.setVMOption(FREE_MIN, min);
        Malloc.trim();
    }
}
