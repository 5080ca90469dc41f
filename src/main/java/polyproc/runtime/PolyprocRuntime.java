package polyproc.runtime;

import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import polyproc.posix.LibC;
import polyproc.process.ChildLauncher;
import polyproc.process.ChildProcess;

/**
 * What the Python package {@code polyproc} sees of Java in one Context: it is put into the
 * Context's polyglot bindings as {@code "polyproc"}, so two Contexts in one JVM never share one.
 */
public final class PolyprocRuntime {
    /** The name under which Python finds this object ({@code polyglot.import_value}). */
    public static final String BINDING = "polyproc";

    private final ContextSpec childSpec;
    private WorkerPool workers; // the forkserver, from its first use; guarded by this

    private PolyprocRuntime(ContextSpec childSpec) {
        this.childSpec = childSpec;
    }

    /**
     * Makes {@code context} polyproc-enabled: its {@code multiprocessing} starts children that
     * rebuild a Context from {@code childSpec}.
     */
    public static PolyprocRuntime install(Context context, ContextSpec childSpec) {
        PolyprocRuntime runtime = new PolyprocRuntime(childSpec);
        context.getPolyglotBindings().putMember(BINDING, runtime);
        context.eval("python", "import polyproc._install");
        return runtime;
    }

    /**
     * The 'spawn' start method: boots a fresh child JVM in directory {@code cwd} with environment
     * {@code env} ("KEY=VALUE" strings) and gives it the task at once: {@code payload}, the pickled
     * preparation data and Process, and the descriptors {@code passFds} (the resource tracker's,
     * then those the Process pickled).
     */
    @HostAccess.Export
    public ChildProcess spawn(Value payload, Value passFds, Value env, String cwd) {
        WorkerConfig config = WorkerConfig.of(childSpec, strings(env), cwd, "");
        ChildProcess child = config.boot();
        if (!WorkerConfig.sendTask(child, ints(passFds), bytes(payload))) {
            throw new IllegalStateException("child process " + child.pid() + " ended before its start");
        }
        return child;
    }

    /**
     * Starts the 'forkserver' start method's server (see {@link WorkerPool}) with {@code env},
     * {@code cwd} and {@code bootData} (what workers prepare: JSON from polyproc.forkserver), once:
     * later calls change nothing, as CPython's forkserver keeps the environment it started with.
     */
    @HostAccess.Export
    public synchronized void startForkserver(Value env, String cwd, String bootData) {
        if (workers == null) {
            workers = new WorkerPool(WorkerConfig.of(childSpec, strings(env), cwd, bootData));
        }
    }

    /** The 'forkserver' start method: hands the task to a worker JVM that is booted already. */
    @HostAccess.Export
    public ChildProcess forkserverStart(Value payload, Value passFds) {
        WorkerPool pool;
        synchronized (this) {
            if (workers == null) {
                throw new IllegalStateException("the forkserver has not been started");
            }
            pool = workers;
        }
        return pool.start(ints(passFds), bytes(payload));
    }

    /** In a child: waits for the task on the bootstrap socket; returns the descriptors it brought. */
    @HostAccess.Export
    public int[] receiveTask(int socketFd) {
        return WorkerConfig.receiveTask(socketFd);
    }

    /** Stops the idle workers of the forkserver (children already handed a Process run on). */
    public synchronized void close() {
        if (workers != null) {
            workers.close();
            workers = null;
        }
    }

    private static List<String> strings(Value array) {
        List<String> list = new ArrayList<>();
        for (long i = 0; i < array.getArraySize(); i++) {
            list.add(array.getArrayElement(i).asString());
        }
        return list;
    }

    private static int[] ints(Value array) {
        int[] result = new int[(int) array.getArraySize()];
        for (int i = 0; i < result.length; i++) {
            result[i] = array.getArrayElement(i).asInt();
        }
        return result;
    }

    private static byte[] bytes(Value buffer) {
        byte[] result = new byte[(int) buffer.getBufferSize()];
        buffer.readBuffer(0, result, 0, result.length);
        return result;
    }

    /**
     * Starts the resource tracker's server (python/polyproc/resource_tracker.sh) with the read
     * end of its pipe as descriptor 4. It ignores SIGINT and SIGTERM and outlives this JVM when
     * it must: it ends when the last process holding the write end has gone.
     */
    @HostAccess.Export
    public ChildProcess startResourceTracker(String script, int pipeReadFd) {
        return ChildLauncher.spawn(List.of("/bin/sh", script), List.of("PATH=/usr/bin:/bin"), "/",
                new int[] {pipeReadFd}, new byte[0]);
    }

    /**
     * shm_open(3) for multiprocessing.shared_memory (GraalPy's _posixshmem has none): the
     * descriptor, or -errno so that Python raises the matching OSError subclass.
     */
    @HostAccess.Export
    public int shmOpen(String name, int flags, int mode) {
        LibC.Result r = LibC.shmOpen(name, flags, mode);
        return r.failed() ? -r.errno() : (int) r.value();
    }

    /** shm_unlink(3): 0, or -errno. */
    @HostAccess.Export
    public int shmUnlink(String name) {
        LibC.Result r = LibC.shmUnlink(name);
        return r.failed() ? -r.errno() : 0;
    }
}
