package polyproc.embed;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.io.FileSystem;

import polyproc.bridge.Bridge;
import polyproc.context.ChildSettings;
import polyproc.context.ChildStreams;
import polyproc.context.ContextSpec;
import polyproc.context.PolyprocOptions;

/**
 * A GraalPy {@link Context} whose Python code has a working {@code multiprocessing}: every
 * child process is a real operating-system process, a JVM that rebuilds this Context's
 * configuration and runs the Process there.
 *
 * <pre>{@code
 * try (PolyprocContext python = PolyprocContext.newBuilder()
 *         .option("python.PythonPath", "/my/app/python")
 *         .out(myOut).err(myErr)
 *         .childJavaOptions("-Xmx512m")
 *         .build()) {
 *     python.context().eval("python", "import myapp; myapp.run()");  // may use Pool, Queue, ...
 *     PythonProcess p = python.process("myapp.jobs:work").args(42, "x").start();
 *     Object result = p.result().get();
 * }   // ends the children still running, frees what they shared
 * }</pre>
 *
 * <p>The builder takes the Context settings a child can rebuild: options, arguments, access given
 * by name, streams. Settings that hold the host's own objects ({@link Builder#fileSystem},
 * {@link Builder#customize}) give a Context that works but cannot start children: {@code
 * Process.start()} raises {@code RuntimeError} naming the setting, as nothing can carry a Java
 * object into another JVM.
 *
 * <p>Every such Context may use native code, I/O and threads (multiprocessing's pipes, sockets
 * and feeder threads need them), and reaches polyproc through {@code @HostAccess.Export}
 * methods, so host access is {@code EXPLICIT} (the default) or {@code ALL}.
 *
 * <p>Closing (this object or its Context) terminates the children still running (SIGTERM, then
 * SIGKILL after 2 s), reaps them, stops the resource tracker, which removes the shared memory,
 * semaphores and socket files they left, and ends the idle worker JVMs. If the host JVM dies
 * abruptly, the children see it and exit (in under a second here). Contexts are independent:
 * each owns its children, its forkserver workers and its resource tracker. Several host threads
 * may use one PolyprocContext at once, as GraalPy allows for a Context.
 */
public final class PolyprocContext implements AutoCloseable {
    private final Context context;

    private PolyprocContext(Context context) {
        this.context = context;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** The GraalPy Context: evaluate Python in it as in any other. */
    public Context context() {
        return context;
    }

    /**
     * A child process that calls a Python function: {@code target} is {@code "module:function"}
     * (the function may be a dotted path inside the module, {@code "pkg.mod:Class.method"}).
     */
    public PythonProcess.Builder process(String target) {
        return new PythonProcess.Builder(context, target);
    }

    /** Closes the Context: ends its children and frees what they shared (see above). */
    @Override
    public void close() {
        context.close();
    }

    /** Builds a {@link PolyprocContext}; the methods mirror {@link Context.Builder}'s. */
    public static final class Builder {
        private final Map<String, String> options = new LinkedHashMap<>();
        private final Map<String, String> access = new LinkedHashMap<>();
        private String[] arguments = new String[] {""};
        private OutputStream out;
        private OutputStream err;
        private boolean inheritChildStdin;
        private final List<String> childJavaOptions = new ArrayList<>();
        private String startMethod;
        private final List<String> settingsChildrenCannotRebuild = new ArrayList<>();
        private final List<Consumer<Context.Builder>> customizations = new ArrayList<>();

        private Builder() {}

        /** A polyglot option ({@code python.PythonPath}, {@code python.WarnOptions}, ...): children get it too. */
        public Builder option(String key, String value) {
            options.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        public Builder options(Map<String, String> values) {
            values.forEach(this::option);
            return this;
        }

        /** {@code sys.argv} of the parent (children get the parent's, as in CPython). */
        public Builder arguments(String... argv) {
            arguments = argv.length == 0 ? new String[] {""} : argv.clone();
            return this;
        }

        public Builder allowAllAccess(boolean allow) {
            access.put(ContextSpec.ALL_ACCESS, Boolean.toString(allow));
            return this;
        }

        /** {@link HostAccess#EXPLICIT} or {@link HostAccess#ALL}: the constants a child can rebuild. */
        public Builder allowHostAccess(HostAccess hostAccess) {
            if (hostAccess == HostAccess.ALL) {
                access.put("hostAccess", "ALL");
            } else if (hostAccess == HostAccess.EXPLICIT) {
                access.put("hostAccess", "EXPLICIT");
            } else {
                throw new IllegalArgumentException("polyproc supports HostAccess.EXPLICIT and HostAccess.ALL: "
                        + "a child process must rebuild the access, and Python reaches polyproc's Java side "
                        + "through @HostAccess.Export methods");
            }
            return this;
        }

        /** {@link EnvironmentAccess#INHERIT} or {@link EnvironmentAccess#NONE}. */
        public Builder allowEnvironmentAccess(EnvironmentAccess environmentAccess) {
            if (environmentAccess != EnvironmentAccess.INHERIT && environmentAccess != EnvironmentAccess.NONE) {
                throw new IllegalArgumentException("polyproc supports EnvironmentAccess.INHERIT and NONE");
            }
            access.put("environmentAccess", environmentAccess == EnvironmentAccess.NONE ? "NONE" : "INHERIT");
            return this;
        }

        public Builder allowExperimentalOptions(boolean allow) {
            access.put("experimentalOptions", Boolean.toString(allow));
            return this;
        }

        /** Where Python's stdout goes, and the stdout of every child (default: the host's System.out). */
        public Builder out(OutputStream stream) {
            out = Objects.requireNonNull(stream);
            return this;
        }

        /** Where Python's stderr goes, and the stderr of every child (default: the host's System.err). */
        public Builder err(OutputStream stream) {
            err = Objects.requireNonNull(stream);
            return this;
        }

        /**
         * Children read the host process's descriptor 0 instead of /dev/null. (Python's own
         * sys.stdin is descriptor 0 of the host: GraalPy's native posix backend, which real
         * descriptors need, reads it whatever the Context's {@code in}.)
         */
        public Builder inheritChildStdin(boolean inherit) {
            inheritChildStdin = inherit;
            return this;
        }

        /**
         * JVM options of the child JVMs, after the host JVM's own, which they inherit (so these
         * win): {@code -Xmx512m}, {@code -Dkey=value}, {@code -XX:+UseSerialGC}. The class path
         * is the host's; to add to it, give {@code -cp} here.
         */
        public Builder childJavaOptions(String... javaOptions) {
            childJavaOptions.addAll(List.of(javaOptions));
            return this;
        }

        /**
         * The default start method of multiprocessing: {@code "forkserver"} (the default: child
         * JVMs are booted ahead of need, a start() takes milliseconds) or {@code "spawn"} (a fresh
         * JVM per child, seconds each). Python code may still choose with get_context().
         */
        public Builder startMethod(String method) {
            if (!method.equals("forkserver") && !method.equals("spawn")) {
                throw new IllegalArgumentException("start method must be 'forkserver' or 'spawn', not '" + method + "'");
            }
            startMethod = method;
            return this;
        }

        /** A custom FileSystem: the Context works, but cannot start child processes. */
        public Builder fileSystem(FileSystem fileSystem) {
            Objects.requireNonNull(fileSystem);
            return customize("a custom FileSystem (fileSystem(...))", b -> b.allowIO(
                    org.graalvm.polyglot.io.IOAccess.newBuilder().fileSystem(fileSystem).build()));
        }

        /**
         * Any other Context.Builder setting (a host object in the bindings, a custom HostAccess,
         * ...); {@code description} says what it is. The Context works, but cannot start child
         * processes: they could not rebuild it, and polyproc does not drop settings silently.
         */
        public Builder customize(String description, Consumer<Context.Builder> customization) {
            settingsChildrenCannotRebuild.add(Objects.requireNonNull(description));
            customizations.add(Objects.requireNonNull(customization));
            return this;
        }

        public PolyprocContext build() {
            Map<String, String> all = PolyprocOptions.common(options);
            ContextSpec spec = new ContextSpec(all, access.isEmpty() ? Map.of(ContextSpec.ALL_ACCESS, "false") : access);

            Context.Builder builder = spec.newBuilder().arguments("python", arguments);
            if (out != null) {
                builder.out(out);
            }
            if (err != null) {
                builder.err(err);
            }
            customizations.forEach(c -> c.accept(builder));
            ChildStreams stdio = new ChildStreams(!inheritChildStdin, out != null ? out : System.out,
                    err != null ? err : System.err);
            String why = settingsChildrenCannotRebuild.isEmpty() ? null : "this Context was built with "
                    + String.join(" and ", settingsChildrenCannotRebuild) + ", which a child process cannot rebuild";
            ChildSettings settings = new ChildSettings(childJavaOptions, startMethod, stdio, why, true);
            Context context = builder.build();
            try {
                Bridge.install(context, spec, settings);
            } catch (RuntimeException e) {
                context.close();
                throw e;
            }
            return new PolyprocContext(context);
        }
    }
}
