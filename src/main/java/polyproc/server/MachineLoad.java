package polyproc.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine's cores are, from /proc/stat, and how much of that one process did (its
 * /proc/PID/stat): the server boots a worker only while the cores are not working for someone,
 * and pauses a boot while anything else keeps them busy (a boot is seconds of CPU, and taking a
 * core from a running program made its first Pool round 17.2 s instead of 7.0 s here, issue 16).
 */
final class MachineLoad {
    private static final Path STAT = Path.of("/proc/stat");
    private final int cores = Runtime.getRuntime().availableProcessors();
    private long lastBusy = -1;
    private long lastTotal = -1;
    private long lastPid = -1;
    private long lastPidTicks;

    /** Cores' worth of work since the previous sample: all of it, and that of one process. */
    record Busy(double all, double process) {
        /** What everything but that process did. */
        double others() {
            return Math.max(0, all - process);
        }
    }

    /**
     * The work done since the previous call, and the share of process {@code pid} (-1: none).
     * A pid not seen at the previous call counts from its start: it is one launched since.
     */
    synchronized Busy since(long pid) {
        long[] now = sample();
        long pidTicks = pid < 0 ? 0 : processTicks(pid);
        if (now == null) {
            return new Busy(0, 0); // no /proc: never counts as busy
        }
        Busy busy = new Busy(0, 0);
        if (lastTotal >= 0 && now[1] > lastTotal) {
            double perCore = (now[1] - lastTotal) / (double) cores;
            long before = pid == lastPid ? lastPidTicks : 0;
            busy = new Busy((now[0] - lastBusy) / perCore, Math.max(0, pidTicks - before) / perCore);
        }
        lastBusy = now[0];
        lastTotal = now[1];
        lastPid = pid;
        lastPidTicks = pidTicks;
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
            return null;
        }
    }

    /** utime + stime of all the process's threads, in the same jiffies; 0 once it is gone. */
    private static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // After "pid (comm)": state is the first field, utime the 12th, stime the 13th.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
