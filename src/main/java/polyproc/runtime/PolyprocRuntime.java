package polyproc.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import polyproc.posix.LibC;
import polyproc.process.ChildLauncher;
import polyproc.process.ChildProcess;
import polyproc.worker.ChildMain;

/**
 * What the Python package {@code polyproc} sees of Java in one Context: it is put into the
 * Context's polyglot bindings as {@code "polyproc"}, so two Contexts in one JVM never share one.
 */
public final class PolyprocRuntime {
    /** The name under which Python finds this object ({@code polyglot.import_value}). */
    public static final String BINDING = "polyproc";
    /** First bytes on a child's bootstrap pipe: "PPC" and the protocol version. */
    static final int BOOTSTRAP_MAGIC = 0x50504301;

    private final ContextSpec childSpec;

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
     * Starts a child JVM that runs the pickled preparation data and Process in {@code payload}
     * (spawn semantics), with environment {@code env} ("KEY=VALUE" strings) in directory
     * {@code cwd}, handing it the descriptors {@code passFds} as 4, 5, ...
     */
    @HostAccess.Export
    public ChildProcess spawn(Value payload, Value passFds, Value env, String cwd) {
        List<String> envList = new ArrayList<>();
        String childJavaOptions = null;
        for (long i = 0; i < env.getArraySize(); i++) {
            String kv = env.getArrayElement(i).asString();
            envList.add(kv);
            if (kv.startsWith(JvmCommand.CHILD_OPTIONS_ENV + "=")) {
                childJavaOptions = kv.substring(JvmCommand.CHILD_OPTIONS_ENV.length() + 1);
            }
        }
        int[] fds = new int[(int) passFds.getArraySize()];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = passFds.getArrayElement(i).asInt();
        }
        byte[] spec = childSpec.toBytes();
        int payloadSize = (int) payload.getBufferSize();
        ByteBuffer bootstrap = ByteBuffer.allocate(8 + spec.length + payloadSize);
        bootstrap.putInt(BOOTSTRAP_MAGIC).putInt(spec.length).put(spec);
        payload.readBuffer(0, bootstrap.array(), bootstrap.position(), payloadSize);
        List<String> argv = JvmCommand.forMain(ChildMain.class, childJavaOptions);
        return ChildLauncher.spawn(argv, envList, cwd, fds, bootstrap.array());
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

    /** Reads what {@link #spawn} wrote ahead of the payload; returns the child's ContextSpec. */
    public static ContextSpec readBootstrapHeader(java.util.function.IntFunction<byte[]> readExactly) {
        ByteBuffer head = ByteBuffer.wrap(readExactly.apply(8));
        if (head.getInt() != BOOTSTRAP_MAGIC) {
            throw new IllegalStateException("not a polyproc bootstrap pipe");
        }
        return ContextSpec.fromBytes(readExactly.apply(head.getInt()));
    }
}
