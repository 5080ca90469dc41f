package polyproc.supervise;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

import org.graalvm.polyglot.HostAccess;

import polyproc.internal.posix.Errno;
import polyproc.internal.posix.Io;
import polyproc.internal.posix.Poll;
import polyproc.internal.posix.Processes;
import polyproc.internal.posix.Signals;
import polyproc.internal.posix.Sockets;
import polyproc.internal.posix.PosixException;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A child process started by polyproc.launch.Spawner, watched through a pidfd.
 *
 * <p>Exit status: Java's {@code Process} reports death by signal N as 128+N, the same number as
 * {@code exit(128+N)}. We launch with posix_spawn, so no JDK reaper touches the child, and read
 * the raw status with {@code waitid(P_PIDFD)}: exit(n) gives n, death by signal N gives -N,
 * exactly as CPython's {@code Popen.returncode}.
 *
 * <p>Reaping: the {@link Supervisor} sees the pidfd become readable when the child ends and
 * reaps it through {@link #poll()}, which callers may also use at any time; the status is
 * recorded once under this object's lock. Only the supervisor closes the pidfd, under that lock,
 * once the child is reaped, so no call ever sees a recycled descriptor number. A helper that the
 * program waits for itself (the resource tracker: CPython's programs may os.waitpid() it) is not
 * watched:
 * {@link #poll()} reaps it. If something else in the process reaped the child first (an
 * os.wait() in the program), its status is lost: poll() stays null, as CPython's Popen.poll()
 * returns None then.
 */
public final class ChildProcess {
    private final int pid;
    private final int pidfd;
    private final int channelFd;
    private final boolean reapInBackground;
    // What the channel's buffer did not take at once, oldest first: the supervisor writes it as
    // the child reads, so that start() does not wait seconds for a child JVM to boot and read
    // it. Guarded by this.
    private final ArrayDeque<Outgoing> unsent = new ArrayDeque<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private Integer returnCode; // guarded by this
    private boolean pidfdClosed; // guarded by this
    private int sentTermination; // SIGTERM or SIGHUP once sent; guarded by this

    // A worker lent by the polyproc server: not our child, so no waitid; its exit status comes
    // as a line on this connection (ServerProtocol: from the worker itself, or from the server
    // for a death by a signal). -1 for our own children.
    private final int statusFd;
    private final StringBuilder statusText = new StringBuilder(); // guarded by this

    private ChildProcess(int pid, int pidfd, int channelFd, boolean reapInBackground, int statusFd) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.channelFd = channelFd;
        this.reapInBackground = reapInBackground;
        this.statusFd = statusFd;
    }

    /**
     * A worker the polyproc server lent this process: {@code channelFd} a copy of the server's
     * end of its bootstrap socket, {@code statusFd} the connection on which its exit status
     * comes. It ends when this process closes that connection (ProgramWorker), as our own
     * children end when we do.
     */
    public static ChildProcess lent(int pid, int channelFd, int statusFd) {
        ChildProcess child = new ChildProcess(pid, Processes.pidfdOpen(pid), channelFd, true, statusFd);
        Supervisor.watch(child.new ExitWatch());
        return child;
    }

    /**
     * The child {@code pid}, just started by this process, with {@code channelFd} our end of its
     * bootstrap socket; the supervisor reaps it if {@code reapInBackground}.
     */
    public static ChildProcess started(int pid, int channelFd, boolean reapInBackground) {
        // Nobody reaps the child before this (only ChildProcess does), so the pid is still ours.
        ChildProcess child = new ChildProcess(pid, Processes.pidfdOpen(pid), channelFd, reapInBackground, -1);
        if (reapInBackground) {
            Supervisor.watch(child.new ExitWatch());
        }
        return child;
    }

    /** The operating-system pid of the child. */
    @HostAccess.Export
    public int pid() {
        return pid;
    }

    /** The return code as CPython reports it (n for exit(n), -N for signal N), or null while running. */
    @HostAccess.Export
    public synchronized Integer poll() {
        if (statusFd >= 0) {
            return pollLent();
        }
        if (returnCode == null && !pidfdClosed) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = arena.allocate(Processes.SIGINFO_SIZE);
                Errno.Result r = Processes.waitid(Processes.P_PIDFD, pidfd, info, Processes.WEXITED | Processes.WNOHANG);
                if (!r.failed() && info.get(JAVA_INT, Processes.SIGINFO_PID) != 0) {
                    returnCode = decode(info, sentTermination);
                    endedUnlessReaperRuns();
                } else if (r.failed() && r.errno() == Errno.ECHILD) {
                    endedUnlessReaperRuns(); // reaped by someone else: the status went with them
                } else if (r.failed() && r.errno() != Errno.EINTR) {
                    throw new PosixException("waitid", r.errno());
                }
            }
        }
        return returnCode;
    }

    /**
     * A lent worker's return code, once it has ended: the worker writes its exit status before it
     * exits, the server a death by a signal once it has reaped it (so that line may come a little
     * after the pidfd says the worker is gone: waited for, up to {@value #LENT_STATUS_WAIT_MS} ms).
     */
    private Integer pollLent() {
        if (returnCode != null || pidfdClosed) {
            return returnCode;
        }
        boolean gone = (Poll.pollOne(pidfd, Poll.POLLIN, 0) & Poll.POLLIN) != 0;
        if (!gone) {
            return null;
        }
        long deadline = System.nanoTime() + LENT_STATUS_WAIT_MS * 1_000_000L;
        while (returnCode == null) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || (Poll.pollOne(statusFd, Poll.POLLIN, (int) left) & (Poll.POLLIN | Poll.POLLHUP)) == 0) {
                // Neither said it: the server is gone and the worker died by a signal.
                returnCode = -Signals.SIGKILL;
                break;
            }
            byte[] some = Io.readSome(statusFd, 256);
            if (some.length == 0) {
                returnCode = -Signals.SIGKILL;
                break;
            }
            statusText.append(new String(some, java.nio.charset.StandardCharsets.UTF_8));
            for (String line : statusText.toString().split("\n")) {
                if (line.startsWith("X ") || line.startsWith("S ")) {
                    int value = Integer.parseInt(line.substring(2).trim());
                    returnCode = line.charAt(0) == 'X' ? value : -value;
                    break;
                }
            }
        }
        return returnCode;
    }

    private static final long LENT_STATUS_WAIT_MS = 5_000;

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
            int[] p = Io.pipe();
            Io.close(p[1]);
            return p[0];
        }
        return Io.dupCloexec(pidfd, 3);
    }

    /** A copy of our end of the child's bootstrap socket, owned by the caller (to lend the child on). */
    public synchronized int newChannelCopy() {
        return Io.dupCloexec(channelFd, 3);
    }

    /** Sends signal sig; false if the child has already ended. */
    @HostAccess.Export
    public synchronized boolean signal(int sig) {
        if (returnCode != null || pidfdClosed) {
            return false;
        }
        if (sig == Signals.SIGTERM || sig == Signals.SIGHUP) {
            sentTermination = sig;
        }
        Errno.Result r = Processes.pidfdSendSignal(pidfd, sig);
        if (r.failed() && r.errno() != Errno.ESRCH) {
            throw new PosixException("pidfd_send_signal", r.errno());
        }
        return !r.failed();
    }

    /**
     * Whether the child has written something to its bootstrap socket that nobody read (a
     * forkserver worker's Bootstrap.READY).
     */
    public synchronized boolean hasMessageWaiting() {
        return !pidfdClosed && (Poll.pollOne(channelFd, Poll.POLLIN, 0) & Poll.POLLIN) != 0;
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
        byte[] message = new byte[head.length + body.length];
        System.arraycopy(head, 0, message, 0, head.length);
        System.arraycopy(body, 0, message, head.length, body.length);
        Outgoing next = new Outgoing(message, fds);
        if (unsent.isEmpty()) {
            try {
                next.sendNow(channelFd);
            } catch (PosixException e) {
                return ifGone(e);
            }
            if (next.isDone()) {
                return true;
            }
        }
        // The caller may close its descriptors as soon as we return: what waits keeps copies.
        next.keepCopiesOfFds();
        unsent.addLast(next);
        if (unsent.size() == 1) {
            Supervisor.watch(new SendWatch());
        }
        return true;
    }

    private static boolean ifGone(PosixException e) {
        if (e.errno() == Errno.EPIPE || e.errno() == Errno.ECONNRESET) {
            return false; // the child has gone
        }
        throw e;
    }

    /** A message not yet (wholly) written; its descriptors go with its first byte. */
    private static final class Outgoing {
        private final byte[] data;
        private int[] fds;
        private boolean ownsFds; // copies made to wait in the queue
        private int offset;

        Outgoing(byte[] data, int[] fds) {
            this.data = data;
            this.fds = fds;
        }

        /** Writes what the socket takes without waiting; the descriptors go with the first byte. */
        void sendNow(int socket) {
            long sent = Sockets.sendNow(socket, data, offset, fds);
            if (sent > 0) {
                offset += (int) sent;
                dropFds();
            }
        }

        boolean isDone() {
            return offset == data.length;
        }

        void keepCopiesOfFds() {
            int[] copies = new int[fds.length];
            for (int i = 0; i < fds.length; i++) {
                copies[i] = Io.dupCloexec(fds[i], 3);
            }
            fds = copies;
            ownsFds = true;
        }

        void dropFds() {
            if (ownsFds) {
                for (int fd : fds) {
                    Io.close(fd);
                }
            }
            fds = new int[0];
        }
    }

    /** Writes {@link #unsent} as the socket takes it, on the supervisor's thread. */
    private final class SendWatch implements Supervisor.Watch {
        @Override
        public int fd() {
            return channelFd;
        }

        @Override
        public short events() {
            return Poll.POLLOUT;
        }

        @Override
        public boolean ready(short revents) {
            synchronized (ChildProcess.this) {
                try {
                    while (!unsent.isEmpty()) {
                        Outgoing next = unsent.peekFirst();
                        next.sendNow(channelFd);
                        if (!next.isDone()) {
                            return true; // full: wait for the next POLLOUT
                        }
                        unsent.pollFirst();
                    }
                } catch (PosixException e) {
                    unsent.forEach(Outgoing::dropFds);
                    unsent.clear();
                    closeChannelIfEnded();
                    ifGone(e);
                    return false;
                }
                closeChannelIfEnded();
                return false;
            }
        }

        private void closeChannelIfEnded() {
            if (pidfdClosed) {
                Io.close(channelFd); // ended() left it to us
            }
        }
    }

    /** Reaps the child when its pidfd becomes readable, on the supervisor's thread. */
    private final class ExitWatch implements Supervisor.Watch {
        @Override
        public int fd() {
            return pidfd;
        }

        @Override
        public short events() {
            return Poll.POLLIN;
        }

        @Override
        public boolean ready(short revents) {
            Integer code;
            synchronized (ChildProcess.this) {
                poll();
                ended();
                code = returnCode;
            }
            exit.complete(code); // outside the lock: it runs the callers' callbacks
            return false;
        }
    }

    private void endedUnlessReaperRuns() {
        // The supervisor may be about to use the pidfd: then only it closes it.
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
        Io.close(pidfd);
        if (statusFd >= 0) {
            Io.close(statusFd); // a lent worker's connection: the server sees we are done with it
        }
        // Our end of the bootstrap socket is the child's parent-liveness signal; the child is gone.
        // While the supervisor still watches it for a write (that fails now), it closes it.
        if (unsent.isEmpty()) {
            Io.close(channelFd);
        }
    }

    /**
     * The CPython return code of a wait status. A child JVM gives SIGTERM and SIGHUP their default
     * action as soon as its main() runs; before that (its first ~100 ms) the JVM's own handler
     * turns them into exit(128+N). So exit(128+N) after we sent N is reported as death by N,
     * what CPython reports for a terminate() at any moment.
     */
    private static int decode(MemorySegment info, int sentTermination) {
        int code = info.get(JAVA_INT, Processes.SIGINFO_CODE);
        int status = info.get(JAVA_INT, Processes.SIGINFO_STATUS);
        if (code != Processes.CLD_EXITED) {
            return -status;
        }
        return sentTermination != 0 && status == 128 + sentTermination ? -sentTermination : status;
    }
}
