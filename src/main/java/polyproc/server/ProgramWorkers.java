package polyproc.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import polyproc.internal.posix.Signals;
import polyproc.launch.Spawner;
import polyproc.launch.WorkerLauncher;
import polyproc.supervise.ChildProcess;

/**
 * The server's idle program workers (Bootstrap.Mode.PROGRAM): booted one at a time, and only
 * while the machine is idle ({@link MachineLoad}), so a boot never takes a core from a running
 * program; a worker that dies while idle is replaced the same way. A boot (about 13 s of CPU
 * here, with its warm-up) that is under way when a program starts is paused (SIGSTOP) while
 * anything else keeps the cores busy, and continued (SIGCONT) when they are free, or when a
 * command waits for it. How many: {@value #INITIAL} at first, one more each time a command
 * found none ready, at most {@link #maxIdle}.
 */
final class ProgramWorkers {
    static final int INITIAL = 1;
    /**
     * What one idle worker costs: a lone one 287 MB PSS (341 MB RSS) once settled
     * (worker.Settling), with the launcher's serial collector and shared AOT cache (778 MB with
     * G1 and neither; docs/performance.md); the bound leaves room for its RSS.
     */
    static final long WORKER_BYTES = 400L << 20;
    /** Below this many cores' worth of work the machine counts as idle. */
    static final double BUSY_LIMIT_CORES = 0.5;
    static final long TICK_MS = 500;

    private final WorkerLauncher launcher;
    private final MachineLoad load = new MachineLoad();
    private final int maxIdle;
    private final Deque<ChildProcess> idle = new ArrayDeque<>(); // booting or ready, oldest first; guarded by this
    private int target = INITIAL; // guarded by this
    private boolean closed; // guarded by this
    private ChildProcess paused; // stopped mid-boot, or null; guarded by this
    private int waiting; // take() calls waiting for a booting worker; guarded by this

    ProgramWorkers(WorkerLauncher launcher, long availableBytes) {
        this.launcher = launcher;
        this.maxIdle = maxIdle(availableBytes);
        Thread.ofPlatform().daemon().name("polyproc-server-boots").start(this::bootWhileIdle);
    }

    /**
     * No more than a quarter of the available memory holds, at most {@value #MAX_IDLE}, at
     * least 1. Not bounded by the cores: an idle worker costs memory, not CPU, and a program
     * that starts six children at once wants six.
     */
    static int maxIdle(long availableBytes) {
        return (int) Math.max(1, Math.min(MAX_IDLE, availableBytes / 4 / WORKER_BYTES));
    }

    static final int MAX_IDLE = 8;

    private void bootWhileIdle() {
        while (true) {
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                idle.removeIf(w -> w.poll() != null);
                ChildProcess booting = idle.stream().filter(w -> !w.hasMessageWaiting()).findFirst().orElse(null);
                MachineLoad.Busy busy = load.since(booting == null ? -1 : booting.pid());
                if (booting == null) {
                    resume(); // it may have said ready just before it was stopped
                    if (idle.size() < target && busy.all() < BUSY_LIMIT_CORES) {
                        idle.addLast(launcher.launch());
                    }
                } else if (busy.others() < BUSY_LIMIT_CORES || waiting > 0) {
                    resume();
                } else if (paused == null && PAUSABLE) {
                    booting.signal(Signals.SIGSTOP);
                    paused = booting;
                }
            }
        }
    }

    /**
     * Only where the kernel continues a paused worker when the server dies (its parent-death
     * signal, WorkerLauncher): stopped, it could not see the server's hang-up and end.
     */
    private static final boolean PAUSABLE = Spawner.hasParentDeathSignal();

    private void resume() {
        if (paused != null) {
            paused.signal(Signals.SIGCONT);
            paused = null;
        }
    }

    /**
     * A worker ready for a program: the oldest ready one; else one still booting, waited for
     * up to {@code waitMillis} (it started before this command, so it is ready before a JVM
     * the command would boot itself); else null, and one more is kept from then on.
     */
    ChildProcess take(long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        synchronized (this) {
            boolean counted = false;
            try {
                while (true) {
                    idle.removeIf(w -> w.poll() != null);
                    for (ChildProcess w : idle) {
                        if (w.hasMessageWaiting()) {
                            if (w == paused) {
                                resume();
                            }
                            idle.remove(w);
                            return w;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (idle.isEmpty() || closed || left <= 0) {
                        target = Math.min(maxIdle, target + 1);
                        return null;
                    }
                    if (!counted) {
                        counted = true;
                        waiting++;
                        resume(); // the command's own work now
                    }
                    wait(Math.max(1, Math.min(50, left / 1_000_000)));
                }
            } finally {
                if (counted) {
                    waiting--;
                }
            }
        }
    }

    /** For the server's status: each idle worker's pid and whether it is ready. */
    synchronized List<ChildProcess> idle() {
        return new ArrayList<>(idle);
    }

    /** For the server's status: whether {@code worker} is paused mid-boot. */
    synchronized boolean isPaused(ChildProcess worker) {
        return worker == paused;
    }

    synchronized int target() {
        return target;
    }

    int maxIdle() {
        return maxIdle;
    }

    /** Kills the idle workers (a program's worker belongs to its command). */
    synchronized void close() {
        closed = true;
        for (ChildProcess w : idle) {
            w.signal(Signals.SIGKILL);
        }
        idle.clear();
    }
}
