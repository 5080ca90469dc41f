package polyproc.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.OperatingSystemMXBean;

import polyproc.internal.posix.Malloc;

/**
 * What a polyproc server's worker does between its preparation and saying ready, while the
 * machine is idle: it lets the compilations its preparation started finish, then gives back
 * the memory its boot used and no longer needs.
 */
final class Settling {
    private Settling() {}

    /** Polls of the JVM's background CPU time: quiet when a window used under a tenth of a core. */
    private static final long POLL_MS = 100;
    private static final int QUIET_POLLS = 3;
    private static final long QUIET_LIMIT_MS = 10_000;
    /**
     * Serial's old generation shrinks in steps over consecutive full collections (0, 10, 40,
     * then 100% of what is free beyond MaxHeapFreeRatio: HotSpot's ShrinkHeapInSteps): four.
     */
    private static final int FULL_COLLECTIONS = 4;
    private static final String FREE_MIN = "MinHeapFreeRatio";
    private static final String FREE_MAX = "MaxHeapFreeRatio";

    static void settle() {
        awaitQuietCompilers();
        giveMemoryBack();
    }

    /**
     * The Truffle and C1 compiler threads still at work (a hot function queued late in the
     * preparation): otherwise they compile in the program's time, on its cores.
     */
    private static void awaitQuietCompilers() {
        OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + QUIET_LIMIT_MS * 1_000_000;
        long last = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime();
        int quiet = 0;
        while (quiet < QUIET_POLLS && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime();
            quiet = now - last < POLL_MS * 1_000_000 / 10 ? quiet + 1 : 0;
            last = now;
        }
    }

    /**
     * Full collections with the heap allowed to keep only 10% free, then the ratios as they
     * were (a program's heap grows as usual), then glibc's free memory back: a lone idle worker
     * 272 MB PSS instead of 406 (docs/performance.md).
     */
    private static void giveMemoryBack() {
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
