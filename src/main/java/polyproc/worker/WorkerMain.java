package polyproc.worker;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

import polyproc.bridge.Bridge;
import polyproc.context.ChildSettings;
import polyproc.internal.posix.Io;
import polyproc.internal.posix.Poll;
import polyproc.internal.posix.Processes;
import polyproc.internal.posix.Signals;
import polyproc.protocol.Bootstrap;

/**
 * The main class of every child JVM, spawn's and forkserver's alike (a worker). Descriptor 3 is
 * its bootstrap socket: the parent's ContextSpec and the worker's mode, later its task
 * (protocol: {@link Bootstrap}). The
 * parent keeps its end open until it has reaped this process, so the socket also tells the
 * child that its parent died: the parent's end closes with it, however the parent ended.
 */
public final class WorkerMain {
    private WorkerMain() {}

    public static void main(String[] args) {
        // A JVM catches SIGTERM and SIGHUP to run shutdown hooks and exit with 128+N; CPython
        // dies by the signal, and terminate() must give -15. Back to the default action, first
        // thing (a terminate() during the JVM's own start-up, before this line, exits 143, which
        // ChildProcess reports as -15).
        // Not -Xrs: it would also stop GraalPy from handling SIGINT and from signal.signal().
        Signals.setDefaultAction(Signals.SIGTERM);
        Signals.setDefaultAction(Signals.SIGHUP);
        int fd = Bootstrap.FD;
        watchParent(Io.dupCloexec(fd, fd));
        Bootstrap.Boot boot = Bootstrap.readBoot(n -> Io.readFully(fd, n));
        int code;
        try (Context context = boot.spec().newBuilder().arguments("python", new String[] {""}).build()) {
            try {
                Bridge.install(context, boot.spec(), ChildSettings.COMMAND);
                if (boot.mode() == Bootstrap.Mode.PROGRAM) {
                    ProgramWorker.run(context, fd, boot.preparation()); // ends the process
                }
                code = context.eval("python", "import polyproc.worker\npolyproc.worker.main")
                        .execute(fd, boot.mode() == Bootstrap.Mode.FORKSERVER, boot.preparation()).asInt();
            } catch (PolyglotException e) {
                if (!e.isExit()) {
                    throw e;
                }
                code = e.getExitStatus();
            }
            if (boot.mode() == Bootstrap.Mode.SPAWN) {
                // spawn: what sys.exit() does that Python code sees (threads joined, atexit,
                // streams flushed), then the end, without Context.close() (see finish_like_exit).
                context.eval("python", "import polyproc\npolyproc.finish_like_exit").executeVoid();
            }
            // A forkserver child ends as CPython's does, with os._exit() once the Process has run
            // (its _bootstrap has flushed the streams and run the finalizers): no atexit.
            Processes.exitNow(code);
        }
        Processes.exitNow(code); // sys.exit() reached the Context itself: it is closed above
    }

    /**
     * A child outlives no parent: when the parent's end of the bootstrap socket closes (POLLHUP,
     * which poll reports even when asked for no events), the child halts at once. This holds
     * when the parent is killed with SIGKILL, where nothing in the parent could act. A program
     * worker that runs a command's program belongs to the command instead (ProgramWorker).
     */
    private static void watchParent(int socketFd) {
        Thread.ofPlatform().daemon().name("polyproc-parent-watch").stackSize(128 * 1024).start(() -> {
            while ((Poll.pollOne(socketFd, (short) 0, -1) & Poll.POLLHUP) == 0) {
                // woken by something other than the hang-up; keep waiting
            }
            if (!ProgramWorker.serving) {
                Runtime.getRuntime().halt(1);
            }
        });
    }
}
