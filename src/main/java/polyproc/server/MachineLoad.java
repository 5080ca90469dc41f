package polyproc.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine's cores are, from /proc/stat: the server boots a worker only while the
 * cores are not working for someone (a boot is seconds of CPU, and taking a core from a running
 * program made its first Pool round 17.2 s instead of 7.0 s here, issue 16).
 */
final class MachineLoad {
    private static final Path STAT = Path.of("/proc/stat");
    private final int cores = Runtime.getRuntime().availableProcessors();
    private long lastBusy = -1;
    private long lastTotal = -1;

    /** The cores' worth of work done since the previous call (0 to the number of cores). */
    synchronized double busyCores() {
        long[] now = sample();
        if (now == null) {
            return 0;
        }
        double busy = 0;
        if (lastTotal >= 0 && now[1] > lastTotal) {
            busy = cores * (double) (now[0] - lastBusy) / (now[1] - lastTotal);
        }
        lastBusy = now[0];
        lastTotal = now[1];
        return busy;
    }

    /** {busy, total} jiffies of all cores: the first line, "cpu user nice system idle iowait irq softirq steal ...". */
    private static long[] sample() {
        try {
            String[] f = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null; // no /proc: never counts as busy
        }
    }
}
