package polyproc.bridge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import polyproc.context.ChildSettings;
import polyproc.context.ContextSpec;
import polyproc.forkserver.WorkerPool;
import polyproc.launch.WorkerLauncher;
import polyproc.protocol.Bootstrap;
import polyproc.supervise.ChildProcess;

/** For python/polyproc/popen.py: the start methods' Popen classes. */
public final class PopenBridge {
    private final ContextSpec childSpec;
    private final ChildSettings settings;
    private final PythonErrors errors;
    private WorkerPool workers; // the forkserver, from its first use; guarded by this

    PopenBridge(ContextSpec childSpec, ChildSettings settings, PythonErrors errors) {
        this.childSpec = childSpec;
        this.settings = settings;
        this.errors = errors;
    }

    /** Why a child cannot rebuild this Context, or null when it can. */
    @HostAccess.Export
    public String cannotStartChildrenBecause() {
        return settings.cannotStartChildrenBecause();
    }

    /**
     * The 'spawn' start method: boots a fresh child JVM in directory {@code cwd} with environment
     * {@code env} ("KEY=VALUE" strings) and gives it the task at once: {@code payload}, the pickled
     * preparation data and Process, and the descriptors {@code passFds} (the resource tracker's,
     * then those the Process pickled).
     */
    @HostAccess.Export
    public ChildHandle spawn(Value payload, Value passFds, Value env, String cwd) {
        WorkerLauncher launcher = new WorkerLauncher(childSpec, settings, environment(env), cwd,
                Bootstrap.Mode.SPAWN, "");
        ChildProcess child = launcher.launch();
        if (!WorkerLauncher.sendTask(child, Values.ints(passFds), Values.bytes(payload))) {
            throw new IllegalStateException("child process " + child.pid() + " ended before its start");
        }
        return new ChildHandle(child, errors);
    }

    /**
     * Starts the 'forkserver' start method's server (see {@link WorkerPool}) with {@code env},
     * {@code cwd} and {@code preparation} (what workers prepare: JSON from polyproc.forkserver),
     * once: later calls change nothing, as CPython's forkserver keeps the environment it started with.
     */
    @HostAccess.Export
    public synchronized void startForkserver(Value env, String cwd, String preparation) {
        if (workers == null) {
            workers = new WorkerPool(new WorkerLauncher(childSpec, settings, environment(env), cwd,
                    Bootstrap.Mode.FORKSERVER, preparation));
        }
    }

    /** The 'forkserver' start method: hands the task to a worker JVM that is booted already. */
    @HostAccess.Export
    public ChildHandle forkserverStart(Value payload, Value passFds) {
        WorkerPool pool;
        synchronized (this) {
            if (workers == null) {
                throw new IllegalStateException("the forkserver has not been started");
            }
            pool = workers;
        }
        return new ChildHandle(pool.start(Values.ints(passFds), Values.bytes(payload)), errors);
    }

    /** Stops the idle workers of the forkserver (children already handed a Process run on). */
    @HostAccess.Export
    public synchronized void close() {
        if (workers != null) {
            workers.close();
            workers = null;
        }
    }

    /**
     * A child's environment: os.environ, as CPython's children get. Where a host hides the
     * environment from Python (EnvironmentAccess.NONE: os.environ is empty), the child JVM still
     * gets this process's (its Python sees none of it either, its Context being the same).
     */
    private List<String> environment(Value pythonEnv) {
        List<String> env = Values.strings(pythonEnv);
        if (childSpec.pythonSeesEnvironment()) {
            return env;
        }
        Map<String, String> merged = new LinkedHashMap<>(System.getenv());
        for (String kv : env) {
            int eq = kv.indexOf('=');
            merged.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return merged.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }
}
