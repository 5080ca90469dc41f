package polyproc.worker;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

import polyproc.posix.LibC;
import polyproc.process.ChildLauncher;
import polyproc.runtime.ContextSpec;
import polyproc.runtime.PolyprocRuntime;

/**
 * The main class of a child JVM. Descriptor 3 is its bootstrap pipe: the parent's ContextSpec,
 * then the pickled preparation data and Process object, as CPython's spawn sends them. The
 * parent keeps the write end open until it has reaped this process, so the pipe also tells the
 * child that its parent died: the write end closes with the parent, however the parent ended.
 */
public final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) {
        // A JVM catches SIGTERM and SIGHUP to run shutdown hooks and exit with 128+N; CPython
        // dies by the signal, and terminate() must give -15. Back to the default action, first
        // thing (a terminate() during the JVM's own start-up, before this line, exits 143, which
        // ChildProcess reports as -15).
        // Not -Xrs: it would also stop GraalPy from handling SIGINT and from signal.signal().
        LibC.setDefaultAction(LibC.SIGTERM);
        LibC.setDefaultAction(LibC.SIGHUP);
        int fd = ChildLauncher.BOOTSTRAP_FD;
        watchParent(LibC.dupCloexec(fd, fd));
        ContextSpec spec = PolyprocRuntime.readBootstrapHeader(n -> LibC.readFully(fd, n));
        int code;
        try (Context context = spec.newBuilder().arguments("python", new String[] {""}).build()) {
            try {
                PolyprocRuntime.install(context, spec);
                code = context.eval("python", "import polyproc.child\npolyproc.child.main(" + fd + ")").asInt();
            } catch (PolyglotException e) {
                if (!e.isExit()) {
                    throw e;
                }
                code = e.getExitStatus();
            }
        }
        System.exit(code);
    }

    /**
     * A child outlives no parent: when the parent's end of the bootstrap pipe closes (POLLHUP,
     * which poll reports even when asked for no events), the child halts at once. This holds
     * when the parent is killed with SIGKILL, where nothing in the parent could act.
     */
    private static void watchParent(int pipeFd) {
        Thread.ofPlatform().daemon().name("polyproc-parent-watch").stackSize(128 * 1024).start(() -> {
            while ((LibC.pollOne(pipeFd, (short) 0, -1) & LibC.POLLHUP) == 0) {
                // woken by something other than the hang-up; keep waiting
            }
            Runtime.getRuntime().halt(1);
        });
    }
}
