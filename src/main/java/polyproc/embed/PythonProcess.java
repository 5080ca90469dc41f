package polyproc.embed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import polyproc.internal.posix.Io;
import polyproc.internal.posix.Signals;
import polyproc.bridge.ChildHandle;
import polyproc.supervise.ChildProcess;
import polyproc.supervise.Supervisor;

/**
 * A child process that runs one Python function, started from Java with
 * {@link PolyprocContext#process}: a {@code multiprocessing.Process} of the Context, so it
 * starts as Python's own do (the Context's start method) and ends with the Context.
 *
 * <p>Arguments and result are plain values, carried as JSON: {@code null}, booleans, numbers,
 * strings, {@code List}s/arrays and {@code Map}s with string keys. A result arrives as
 * {@code null}, {@code Boolean}, {@code Long}, {@code BigInteger}, {@code Double} (NaN and the
 * infinities too, as Python's json writes them), {@code String}, {@code List} or {@code Map}.
 *
 * <p>Exit codes are multiprocessing's: 0, the code given to {@code sys.exit}, 1 after an
 * uncaught exception (its traceback goes to stderr), {@code -N} after death by signal N.
 *
 * <p>Output: by default stdout and stderr are pipes read with {@link #getInputStream()} and
 * {@link #getErrorStream()}, as with {@link Process}; read them, or a chatty child blocks once a
 * pipe is full (64 KiB). {@link Builder#inheritOutput()} sends them to the Context's streams.
 */
public final class PythonProcess {
    private final ChildProcess child;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<Object> result;

    private PythonProcess(ChildProcess child, InputStream stdout, InputStream stderr, int resultFd) {
        this.child = child;
        this.stdout = stdout;
        this.stderr = stderr;
        this.result = new CompletableFuture<>();
        Supervisor.readToEnd(resultFd, data ->
                child.onExit().thenAccept(code -> complete(code, new String(data, StandardCharsets.UTF_8))));
    }

    private void complete(int exitCode, String data) {
        if (!data.isEmpty()) {
            Object message;
            try {
                message = Json.parse(data);
            } catch (IllegalArgumentException e) { // cut short: the child died while writing it
                result.completeExceptionally(new PythonProcessException(exitCode, "unreadable result (" + e.getMessage() + ")"));
                return;
            }
            if (message instanceof Map<?, ?> m && m.containsKey("value") && exitCode == 0) {
                result.complete(m.get("value"));
                return;
            }
            if (message instanceof Map<?, ?> m && m.containsKey("error")) {
                result.completeExceptionally(new PythonProcessException(exitCode, (String) m.get("error")));
                return;
            }
        }
        result.completeExceptionally(new PythonProcessException(exitCode, exitCode < 0
                ? "killed by signal " + -exitCode : "exited with code " + exitCode + " before returning"));
    }

    /** The operating-system pid of the child. */
    public long pid() {
        return child.pid();
    }

    /** The child as a ProcessHandle (for parent, info(), descendants()). */
    public ProcessHandle toHandle() {
        return ProcessHandle.of(child.pid()).orElseThrow(() -> new IllegalStateException("process " + pid() + " has been reaped"));
    }

    public boolean isAlive() {
        return child.poll() == null;
    }

    /** Completes with the exit code once the child has ended. */
    public CompletableFuture<Integer> onExit() {
        return child.onExit().copy();
    }

    /**
     * Completes with the function's return value; exceptionally with a
     * {@link PythonProcessException} if it raised (the exception's text), exited without
     * returning (sys.exit, a signal), or returned a value that is not plain.
     */
    public CompletableFuture<Object> result() {
        return result.copy();
    }

    /** Waits for the child to end; returns its exit code. */
    public int waitFor() throws InterruptedException {
        try {
            return child.onExit().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits at most {@code timeout}; true if the child has ended. */
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            child.onExit().get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The exit code; {@link IllegalThreadStateException} while the child runs, as {@link Process#exitValue()}. */
    public int exitValue() {
        Integer code = child.poll();
        if (code == null) {
            throw new IllegalThreadStateException("process " + pid() + " has not exited");
        }
        return code;
    }

    /** SIGTERM, as {@code Process.terminate()}: the exit code becomes -15 unless it ended first. */
    public void destroy() {
        child.signal(Signals.SIGTERM);
    }

    /** SIGKILL, as {@code Process.kill()}. */
    public void destroyForcibly() {
        child.signal(Signals.SIGKILL);
    }

    /** The child's stdout; empty when the output goes to the Context ({@link Builder#inheritOutput()}). */
    public InputStream getInputStream() {
        return stdout;
    }

    /** The child's stderr; empty when the output goes to the Context ({@link Builder#inheritOutput()}). */
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public String toString() {
        Integer code = child.poll();
        return "PythonProcess[pid=" + pid() + (code == null ? ", running]" : ", exitValue=" + code + "]");
    }

    /** What to start; from {@link PolyprocContext#process}. */
    public static final class Builder {
        private final Context context;
        private final String module;
        private final String function;
        private final List<Object> args = new ArrayList<>();
        private String name;
        private boolean inheritOutput;

        Builder(Context context, String target) {
            this.context = context;
            int colon = target.indexOf(':');
            if (colon <= 0 || colon == target.length() - 1) {
                throw new IllegalArgumentException("target must be 'module:function', not '" + target + "'");
            }
            this.module = target.substring(0, colon);
            this.function = target.substring(colon + 1);
        }

        /** Positional arguments (plain values, see {@link PythonProcess}). */
        public Builder args(Object... values) {
            args.addAll(Arrays.asList(values));
            return this;
        }

        /** The Process's name (multiprocessing's default: Process-N). */
        public Builder name(String processName) {
            name = Objects.requireNonNull(processName);
            return this;
        }

        /** The child writes to the Context's out/err instead of pipes of its own. */
        public Builder inheritOutput() {
            inheritOutput = true;
            return this;
        }

        /**
         * Starts the child (in the calling thread, which enters the Context). Errors are
         * Python's, as a {@link org.graalvm.polyglot.PolyglotException}: the module cannot be
         * found in the child, a Context that cannot start children, ...
         */
        public PythonProcess start() {
            String argsJson = Json.write(args); // fails here, before anything starts, on a non-plain value
            int[] result = Io.pipe();
            int[] out = inheritOutput ? null : Io.pipe();
            int[] err = inheritOutput ? null : Io.pipe();
            try {
                // The write ends go to Python, which closes its copies once the child has them.
                Value started = context.eval("python", "import polyproc.api\npolyproc.api.start").execute(
                        module, function, argsJson, name, result[1], out == null ? -1 : out[1], err == null ? -1 : err[1]);
                ChildProcess child = started.<ChildHandle>asHostObject().process();
                return new PythonProcess(child, stream(out), stream(err), result[0]);
            } catch (RuntimeException e) {
                for (int[] pipe : new int[][] {result, out, err}) {
                    if (pipe != null) {
                        Io.close(pipe[0]);
                    }
                }
                throw e;
            }
        }

        private static InputStream stream(int[] pipe) {
            return pipe == null ? InputStream.nullInputStream() : new PipeInputStream(pipe[0]);
        }
    }

    /** The read end of a pipe as an InputStream. */
    private static final class PipeInputStream extends InputStream {
        private final int fd;
        private boolean closed; // guarded by this

        PipeInputStream(int fd) {
            this.fd = fd;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            synchronized (this) {
                if (closed) {
                    throw new IOException("stream closed");
                }
            }
            byte[] chunk = Io.readSome(fd, len);
            if (chunk.length == 0) {
                return -1;
            }
            System.arraycopy(chunk, 0, b, off, chunk.length);
            return chunk.length;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                Io.close(fd);
            }
        }
    }
}
