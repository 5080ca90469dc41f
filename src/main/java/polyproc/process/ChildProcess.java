package polyproc.process;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;

import org.graalvm.polyglot.HostAccess;

import polyproc.posix.LibC;
import polyproc.posix.PosixException;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A child process started by {@link ChildLauncher}, watched through a pidfd.
 *
 * <p>Exit status: Java's {@code Process} reports death by signal N as 128+N, the same number as
 * {@code exit(128+N)}. We launch with posix_spawn, so no JDK reaper touches the child, and read
 * the raw status with {@code waitid(P_PIDFD)}: exit(n) gives n, death by signal N gives -N,
 * exactly as CPython's {@code Popen.returncode}.
 *
 * <p>Reaping: one daemon thread per child waits with {@code WNOWAIT} (the child stays a zombie)
 * and then reaps through {@link #poll()}, which callers may also use at any time; the status is
 * recorded once under this object's lock. The pidfd is closed under that lock once the child is
 * reaped, so no call ever sees a recycled descriptor number. A helper that the program waits for
 * itself (the resource tracker: CPython's programs may os.waitpid() it) has no such thread:
 * {@link #poll()} reaps it. If something else in the process reaped the child first (an
 * os.wait() in the program), its status is lost: poll() stays null, as CPython's Popen.poll()
 * returns None then.
 */
public final class ChildProcess {
    private final int pid;
    private final int pidfd;
    private final int channelFd;
    private final boolean reapInBackground;
    // Writes to the channel in order; a large one goes to a thread so that start() does not wait
    // seconds for a child JVM to boot and read it. Guarded by this.
    private CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private Integer returnCode; // guarded by this
    private boolean pidfdClosed; // guarded by this
    private int sentTermination; // SIGTERM or SIGHUP once sent; guarded by this

    /** Below this size a message fits the socket buffer and is written without a thread. */
    private static final int SOCKET_BUFFER = 60 * 1024;

    ChildProcess(int pid, int pidfd, int channelFd, boolean reapInBackground) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.channelFd = channelFd;
        this.reapInBackground = reapInBackground;
        if (reapInBackground) {
            Thread.ofPlatform().daemon().name("polyproc-reaper-" + pid).stackSize(128 * 1024)
                    .start(this::reap);
        }
    }

    /** The operating-system pid of the child. */
    @HostAccess.Export
    public int pid() {
        return pid;
    }

    /** The return code as CPython reports it (n for exit(n), -N for signal N), or null while running. */
    @HostAccess.Export
    public synchronized Integer poll() {
        if (returnCode == null && !pidfdClosed) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = arena.allocate(LibC.SIGINFO_SIZE);
                LibC.Result r = LibC.waitid(LibC.P_PIDFD, pidfd, info, LibC.WEXITED | LibC.WNOHANG);
                if (!r.failed() && info.get(JAVA_INT, LibC.SIGINFO_PID) != 0) {
                    returnCode = decode(info, sentTermination);
                    endedUnlessReaperRuns();
                } else if (r.failed() && r.errno() == LibC.ECHILD) {
                    endedUnlessReaperRuns(); // reaped by someone else: the status went with them
                } else if (r.failed() && r.errno() != LibC.EINTR) {
                    throw new PosixException("waitid", r.errno());
                }
            }
        }
        return returnCode;
    }

    /** Completes with the return code when the child has ended and been reaped (null if something else reaped it). */
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    /**
     * A new descriptor, owned by the caller, that becomes readable when the child ends: what
     * CPython calls the process {@code sentinel}.
     */
    @HostAccess.Export
    public synchronized int newSentinel() {
        if (pidfdClosed) {
            // Already reaped: any descriptor that is readable now will do; an empty pipe whose
            // writer is closed reads as end-of-file at once.
            int[] p = LibC.pipe();
            LibC.close(p[1]);
            return p[0];
        }
        return LibC.dupCloexec(pidfd, 3);
    }

    /** Sends signal sig; false if the child has already ended. */
    @HostAccess.Export
    public synchronized boolean signal(int sig) {
        if (returnCode != null || pidfdClosed) {
            return false;
        }
        if (sig == LibC.SIGTERM || sig == LibC.SIGHUP) {
            sentTermination = sig;
        }
        LibC.Result r = LibC.pidfdSendSignal(pidfd, sig);
        if (r.failed() && r.errno() != LibC.ESRCH) {
            throw new PosixException("pidfd_send_signal", r.errno());
        }
        return !r.failed();
    }

    /**
     * Whether the child has written something to its bootstrap socket that nobody read: a
     * forkserver worker writes one byte once it is ready for its task (polyproc.child).
     */
    public synchronized boolean hasWritten() {
        return !pidfdClosed && (LibC.pollOne(channelFd, LibC.POLLIN, 0) & LibC.POLLIN) != 0;
    }

    /**
     * Sends {@code head} with the descriptors {@code fds} attached, then {@code body}, on the
     * child's bootstrap socket (its descriptor 3). Messages arrive in the order sent. Returns
     * false if the child can no longer read them (it has ended).
     */
    public synchronized boolean send(byte[] head, int[] fds, byte[] body) {
        if (pidfdClosed) {
            return false;
        }
        if (lastWrite.isDone() && head.length + body.length <= SOCKET_BUFFER) {
            return write(head, fds, body);
        }
        // Descriptors must travel now: the caller may close its copies as soon as we return.
        if (fds.length > 0 && !write(head, fds, new byte[0])) {
            return false;
        }
        byte[] rest = fds.length > 0 ? new byte[0] : head;
        lastWrite = lastWrite.thenRunAsync(() -> write(rest, new int[0], body),
                r -> Thread.ofPlatform().daemon().name("polyproc-send-" + pid).start(r));
        return true;
    }

    private boolean write(byte[] head, int[] fds, byte[] body) {
        try {
            int sent = 0;
            if (fds.length > 0) {
                sent = (int) LibC.sendWithFds(channelFd, head, fds);
            }
            return LibC.writeFully(channelFd, java.util.Arrays.copyOfRange(head, sent, head.length))
                    && LibC.writeFully(channelFd, body);
        } catch (PosixException e) {
            if (e.errno() == LibC.EPIPE || e.errno() == LibC.ECONNRESET) {
                return false; // the child has gone
            }
            throw e;
        }
    }

    private void reap() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(LibC.SIGINFO_SIZE);
            LibC.Result r;
            do {
                r = LibC.waitid(LibC.P_PIDFD, pidfd, info, LibC.WEXITED | LibC.WNOWAIT);
            } while (r.failed() && r.errno() == LibC.EINTR);
        }
        Integer code;
        synchronized (this) {
            poll();
            ended();
            code = returnCode;
        }
        exit.complete(code); // outside the lock: it runs the callers' callbacks
    }

    private void endedUnlessReaperRuns() {
        // The reaper thread may be about to use the pidfd: then only it closes it.
        if (!reapInBackground) {
            ended();
            exit.complete(returnCode); // a helper: no callbacks hang on its future
        }
    }

    /** Once the child is reaped (by us or not): what was kept for it goes. Under the lock. */
    private synchronized void ended() {
        if (pidfdClosed) {
            return;
        }
        pidfdClosed = true;
        LibC.close(pidfd);
        // Our end of the bootstrap socket is the child's parent-liveness signal; the child is gone.
        // A write still running in a thread fails with EPIPE now; close only after it.
        lastWrite.whenComplete((v, e) -> LibC.close(channelFd));
    }

    /**
     * The CPython return code of a wait status. A child JVM gives SIGTERM and SIGHUP their default
     * action as soon as its main() runs; before that (its first ~100 ms) the JVM's own handler
     * turns them into exit(128+N). So exit(128+N) after we sent N is reported as death by N,
     * what CPython reports for a terminate() at any moment.
     */
    private static int decode(MemorySegment info, int sentTermination) {
        int code = info.get(JAVA_INT, LibC.SIGINFO_CODE);
        int status = info.get(JAVA_INT, LibC.SIGINFO_STATUS);
        if (code != LibC.CLD_EXITED) {
            return -status;
        }
        return sentTermination != 0 && status == 128 + sentTermination ? -sentTermination : status;
    }
}
