package polyproc.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import polyproc.posix.LibC;
import polyproc.posix.NamedSemaphore;
import polyproc.posix.PosixException;
import polyproc.process.ChildLauncher;
import polyproc.process.ChildProcess;

/**
 * What the Python package {@code polyproc} sees of Java in one Context: handed to
 * {@code polyproc._enable} when the Context is made polyproc-enabled, so two Contexts in one
 * JVM never share one, and Python reaches it through its {@code @HostAccess.Export} methods only.
 */
public final class PolyprocRuntime {
    private final ContextSpec childSpec;
    private final ChildSettings settings;
    private WorkerPool workers; // the forkserver, from its first use; guarded by this

    private PolyprocRuntime(ContextSpec childSpec, ChildSettings settings) {
        this.childSpec = childSpec;
        this.settings = settings;
    }

    /**
     * Makes {@code context} polyproc-enabled: its {@code multiprocessing} starts children that
     * rebuild a Context from {@code childSpec}, as {@code settings} say.
     */
    public static PolyprocRuntime install(Context context, ContextSpec childSpec, ChildSettings settings) {
        PolyprocRuntime runtime = new PolyprocRuntime(childSpec, settings);
        context.eval("python", "import polyproc\npolyproc._enable").execute(runtime);
        return runtime;
    }

    /** Why a child cannot rebuild this Context, or null when it can. */
    @HostAccess.Export
    public String unreproducible() {
        return settings.unreproducible();
    }

    /** The start method of multiprocessing's default context, or null for polyproc's default. */
    @HostAccess.Export
    public String defaultStartMethod() {
        return settings.startMethod();
    }

    /** A Java host's Context (see {@link ChildSettings#embedded}). */
    @HostAccess.Export
    public boolean embedded() {
        return settings.embedded();
    }

    /** Whether Python's descriptor {@code fd} (1 or 2) goes to a host's stream (writeOutput). */
    @HostAccess.Export
    public boolean capturesOutput(int fd) {
        return settings.stdio().sink(fd) != null;
    }

    /** Writes what Python's sys.stdout (1) or sys.stderr (2) wrote to the host's stream. */
    @HostAccess.Export
    public void writeOutput(int fd, Value data) {
        ChildStdio.write(settings.stdio().sink(fd), bytes(data));
    }

    /**
     * The 'spawn' start method: boots a fresh child JVM in directory {@code cwd} with environment
     * {@code env} ("KEY=VALUE" strings) and gives it the task at once: {@code payload}, the pickled
     * preparation data and Process, and the descriptors {@code passFds} (the resource tracker's,
     * then those the Process pickled).
     */
    @HostAccess.Export
    public ChildProcess spawn(Value payload, Value passFds, Value env, String cwd) {
        WorkerConfig config = WorkerConfig.of(childSpec, settings, environment(env), cwd, "");
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
            workers = new WorkerPool(WorkerConfig.of(childSpec, settings, environment(env), cwd, bootData));
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

    /**
     * In a child: waits for the task on the bootstrap socket; returns the descriptors it brought,
     * as text ("5 6 7"): a Context with HostAccess.EXPLICIT cannot read a Java array.
     */
    @HostAccess.Export
    public String receiveTask(int socketFd) {
        return Arrays.stream(WorkerConfig.receiveTask(socketFd)).mapToObj(Integer::toString)
                .collect(Collectors.joining(" "));
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
        List<String> env = strings(pythonEnv);
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
        return settings.stdio().launch(stdio -> ChildLauncher.spawnHelper(List.of("/bin/sh", script),
                List.of("PATH=/usr/bin:/bin"), "/", stdio, new int[] {pipeReadFd},
                new int[] {LibC.SIGINT, LibC.SIGTERM}));
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

    /**
     * Raises a pipe's capacity to {@code bytes} (fcntl F_SETPIPE_SZ; GraalPy's fcntl module has
     * no fcntl()): the new capacity, or -errno (EPERM once the user's pipes hold more than
     * /proc/sys/fs/pipe-user-pages-soft; the pipe then keeps its 64 KiB).
     */
    @HostAccess.Export
    public int setPipeSize(int fd, int bytes) {
        LibC.Result r = LibC.setPipeSize(fd, bytes);
        return r.failed() ? -r.errno() : (int) r.value();
    }

    /**
     * socket.socketpair(family, type, proto) as CPython's, from socketpair(2) (GraalPy's _socket
     * has none): "fd0 fd1", close-on-exec as CPython's, or "-errno".
     */
    @HostAccess.Export
    public String socketPair(int family, int type, int protocol) {
        try {
            int[] fds = LibC.socketPair(family, type, protocol);
            return fds[0] + " " + fds[1];
        } catch (PosixException e) {
            return Integer.toString(-e.errno());
        }
    }

    /**
     * multiprocessing.reduction's sendfds (GraalPy's sockets have no sendmsg): one byte,
     * len(fds) % 256 as CPython sends, with the descriptors attached (SCM_RIGHTS) on the Unix
     * socket socketFd. 0, or -errno.
     */
    @HostAccess.Export
    public int sendFds(int socketFd, Value fds) {
        int[] list = ints(fds);
        try {
            LibC.sendWithFds(socketFd, new byte[] {(byte) list.length}, list);
            return 0;
        } catch (PosixException e) {
            return -e.errno();
        }
    }

    /**
     * multiprocessing.reduction's recvfds: reads one byte and at most maxFds descriptors from the
     * Unix socket socketFd. As text (a Context with HostAccess.EXPLICIT cannot read a Java array):
     * "" at end of file, else the byte's value and then the descriptors ("1 7"); "-errno" on error.
     */
    @HostAccess.Export
    public String receiveFds(int socketFd, int maxFds) {
        LibC.Received r;
        try {
            r = LibC.receiveWithFds(socketFd, 1, maxFds);
        } catch (PosixException e) {
            return Integer.toString(-e.errno());
        }
        if (r.data().length == 0) {
            return "";
        }
        StringBuilder text = new StringBuilder(Integer.toString(r.data()[0] & 0xff));
        for (int fd : r.fds()) {
            text.append(' ').append(fd);
        }
        return text.toString();
    }

    /** shm_unlink(3): 0, or -errno. */
    @HostAccess.Export
    public int shmUnlink(String name) {
        LibC.Result r = LibC.shmUnlink(name);
        return r.failed() ? -r.errno() : 0;
    }

    /**
     * _multiprocessing.SemLock(kind, value, maxvalue, name, unlink) for polyproc.synchronize: a
     * {@link SemLock}, or -errno (an Integer) for Python to raise as OSError, as the other calls here.
     */
    @HostAccess.Export
    public Object semLockCreate(int kind, int value, int maxvalue, String name, boolean unlink) {
        return SemLock.create(kind, value, maxvalue, name, unlink);
    }

    /** SemLock._rebuild in a child: the named semaphore, or -errno. */
    @HostAccess.Export
    public Object semLockOpen(int kind, int maxvalue, String name) {
        return SemLock.open(kind, maxvalue, name);
    }

    /** sem_unlink(3): 0, or -errno. */
    @HostAccess.Export
    public int semUnlink(String name) {
        return -NamedSemaphore.unlink(name);
    }
}
