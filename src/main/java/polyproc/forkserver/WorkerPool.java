package polyproc.forkserver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import polyproc.launch.WorkerLauncher;
import polyproc.internal.posix.Signals;
import polyproc.supervise.ChildProcess;

/**
 * The 'forkserver' start method's server. A JVM cannot fork, so instead of forking a warm
 * interpreter it keeps worker JVMs booted ahead of need (JVM up, Context built, multiprocessing
 * and the preload modules imported, polyproc.worker waiting for a task); {@link #start} hands a
 * Process to the oldest idle one (or boots one for it if none is idle) and launches its
 * replacement shortly after ({@link #topUp}), which boots in the background. Every worker runs
 * exactly one Process and then exits, so nothing leaks from one Process to the next. Starting n
 * Processes at once (a Pool(n)) launches the missing workers together, so they boot in parallel.
 * How many stay idle: {@link IdlePolicy}. Idle workers die with the parent: they see their
 * bootstrap socket hang up (WorkerMain), and the kernel kills them when it dies
 * (PR_SET_PDEATHSIG, Spawner), SIGKILL included.
 */
public final class WorkerPool {
    private final WorkerLauncher launcher;
    private final IdlePolicy policy; // guarded by this
    private final Deque<ChildProcess> idle = new ArrayDeque<>(); // oldest first; guarded by this
    private boolean closed; // guarded by this
    private ScheduledFuture<?> topUp; // guarded by this
    private final List<ChildProcess> booting = new ArrayList<>(); // handed out before ready; guarded by this

    static final long TOP_UP_DELAY_MS = 500;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("polyproc-forkserver-top-up").unstarted(r));

    public WorkerPool(WorkerLauncher launcher) {
        this.launcher = launcher;
        this.policy = IdlePolicy.of(launcher.variable(IdlePolicy.ENV), Runtime.getRuntime().availableProcessors(),
                availableMemory());
    }

    /** MemAvailable of /proc/meminfo, in bytes (4 GiB if it cannot be read). */
    public static long availableMemory() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // fall through
        }
        return 4L << 30;
    }

    /** Gives the task to a worker (idle if there is one, else a new one) and returns it. */
    public ChildProcess start(int[] fds, byte[] payload) {
        for (int attempt = 0; ; attempt++) {
            ChildProcess worker = take();
            if (WorkerLauncher.sendTask(worker, fds, payload)) {
                return worker;
            }
            // It died while idle (killed from outside, out of memory): try the next one, but
            // do not boot JVMs forever if every one dies at once (bad JVM options).
            if (attempt > policy.max()) {
                throw new IllegalStateException("worker JVM " + worker.pid() + " ended with "
                        + worker.onExit().join() + " before it could take a Process (see its output)");
            }
        }
    }

    private synchronized ChildProcess take() {
        if (closed) {
            throw new IllegalStateException("the forkserver is closed");
        }
        ChildProcess worker = idle.pollFirst();
        while (worker != null && worker.poll() != null) {
            worker = idle.pollFirst();
        }
        if (worker == null || !worker.hasMessageWaiting()) {
            policy.foundNoneReady();
        }
        if (worker == null) {
            worker = launcher.launch();
        }
        if (!worker.hasMessageWaiting()) {
            booting.add(worker);
        }
        if (topUp != null) {
            topUp.cancel(false);
        }
        topUp = TIMER.schedule(this::topUp, TOP_UP_DELAY_MS, TimeUnit.MILLISECONDS);
        return worker;
    }

    /**
     * Boots the idle workers that are missing once start() has rested {@value #TOP_UP_DELAY_MS}
     * ms and every worker handed out before it was ready has booted: the Processes of a burst,
     * and the boots they wait for, get the cores first: a worker boot costs ~5 s of CPU, and
     * booting the replacements beside a burst of four that still waited for its own boots made
     * that burst 27 s instead of ~13 s on 2 cores (docs/performance.md).
     */
    private synchronized void topUp() {
        booting.removeIf(w -> w.hasMessageWaiting() || w.poll() != null);
        if (!booting.isEmpty() && !closed) {
            topUp = TIMER.schedule(this::topUp, 100, TimeUnit.MILLISECONDS);
            return;
        }
        // A served program keeps no idle workers of its own: the server keeps them for every
        // program, boots them while the machine is idle (never beside a program's work), and
        // lends one at start().
        while (!closed && idle.size() < policy.target() && !launcher.borrowsFromServer()) {
            idle.addLast(launcher.launch());
        }
    }

    /**
     * Kills the idle workers (a worker that was handed a Process belongs to that Process) and
     * waits until they are reaped, at most a few seconds: a JVM takes ~10-100 ms to die, and an
     * unreaped one would outlive this program as a zombie of init.
     */
    public void close() {
        List<ChildProcess> killed;
        synchronized (this) {
            closed = true;
            killed = List.copyOf(idle);
            idle.clear();
        }
        for (ChildProcess worker : killed) {
            worker.signal(Signals.SIGKILL);
        }
        try {
            CompletableFuture.allOf(killed.stream().map(ChildProcess::onExit).toArray(CompletableFuture[]::new))
                    .get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Killed; the kernel finishes it. Nothing more to do from here.
        }
    }
}
