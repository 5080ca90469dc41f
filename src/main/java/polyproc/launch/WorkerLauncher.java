package polyproc.launch;

import java.util.List;

import polyproc.context.ChildSettings;
import polyproc.context.ContextSpec;
import polyproc.protocol.Bootstrap;
import polyproc.supervise.ChildProcess;

/**
 * Launches worker JVMs for one configuration: the Context they rebuild, how they run their task
 * ({@link Bootstrap.Mode}), the environment and directory they start in. A worker boots on its
 * own and then waits for its task on its bootstrap socket ({@link Bootstrap}).
 */
public final class WorkerLauncher {
    /** The main class of every worker JVM (polyproc.worker, which depends on this package, not back). */
    public static final String WORKER_MAIN = "polyproc.worker.WorkerMain";

    private final ChildSettings settings;
    private final List<String> env;
    private final String cwd;
    private final String childJavaOptions;
    private final byte[] bootMessage;
    private final Bootstrap.Mode mode;

    /**
     * {@code env} is "KEY=VALUE" strings; its {@value JvmCommand#CHILD_OPTIONS_ENV} adds JVM
     * options, as it would in the parent's own environment.
     */
    public WorkerLauncher(ContextSpec spec, ChildSettings settings, List<String> env, String cwd,
                          Bootstrap.Mode mode, String preparation) {
        this.settings = settings;
        this.env = List.copyOf(env);
        this.cwd = cwd;
        this.childJavaOptions = variable(JvmCommand.CHILD_OPTIONS_ENV);
        this.bootMessage = Bootstrap.bootMessage(new Bootstrap.Boot(mode, spec, preparation));
        this.mode = mode;
    }

    /** The value of {@code name} in the workers' environment, or null. */
    public String variable(String name) {
        String prefix = name + "=";
        return env.stream().filter(kv -> kv.startsWith(prefix))
                .map(kv -> kv.substring(prefix.length())).findFirst().orElse(null);
    }

    /**
     * Launches a worker JVM; it boots on its own and then waits for its task. A served
     * program's forkserver worker is one the polyproc server lends, when it has one ready.
     */
    public ChildProcess launch() {
        ChildProcess lent = borrow();
        if (lent != null) {
            return lent;
        }
        List<String> jvm = JvmCommand.forMain(WORKER_MAIN, settings.javaOptions(), childJavaOptions);
        // A program worker is not killed with the server: the program it runs belongs to its
        // command, and must outlive the server. The parent-death signal is the primordial
        // thread's, which the JVM keeps blocked in its launcher, so it could not be cleared
        // then. An idle program worker ends with the server when its bootstrap socket hangs up
        // (WorkerMain); SIGCONT wakes one the server had paused mid-boot (ProgramWorkers) to see it.
        List<String> command = mode == Bootstrap.Mode.PROGRAM ? Spawner.withParentDeathSignal("CONT", jvm)
                : Spawner.diesWithParent(jvm);
        return ChildStdio.launch(settings.stdio(), stdio -> Spawner.spawn(command, env, cwd, stdio,
                new int[0], bootMessage));
    }

    /**
     * Whether workers come from the polyproc server: a served program's forkserver, whose
     * children would run with the JVM options of the server's workers (the program's own),
     * with no options for children only ({@value JvmCommand#CHILD_OPTIONS_ENV}) on top.
     */
    public boolean borrowsFromServer() {
        return mode == Bootstrap.Mode.FORKSERVER && ServerLink.inUse() && settings.javaOptions().isEmpty()
                && (childJavaOptions == null || childJavaOptions.isBlank());
    }

    /** A booted worker the polyproc server lends now, or null (none ready, or not served). */
    public ChildProcess borrow() {
        return borrowsFromServer() ? ServerLink.borrow(env, cwd) : null;
    }

    /** Sends a task; false if the worker has ended and cannot take it. */
    public static boolean sendTask(ChildProcess worker, int[] fds, byte[] payload) {
        return worker.send(Bootstrap.taskHead(fds.length), fds, payload);
    }
}
