package polyproc.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Function;

import polyproc.posix.LibC;
import polyproc.process.ChildLauncher;
import polyproc.process.ChildProcess;

/**
 * Where the standard streams of the children of one Context go. The {@code polyproc} command:
 * its own descriptors 0, 1 and 2, as CPython's children share their parent's. A Java host
 * (polyproc.embed.PolyprocContext): the Context's {@code out}/{@code err} streams, through one
 * pipe per stream and child and a thread that copies it (a pipe, not the host's descriptors 1
 * and 2, which are not where a host's Context writes), and stdin /dev/null unless the host asks
 * for its own.
 */
public final class ChildStdio {
    public static final ChildStdio INHERIT = new ChildStdio(false, null, null);

    private final boolean nullStdin;
    private final OutputStream out; // null: the parent's descriptor 1
    private final OutputStream err; // null: the parent's descriptor 2

    public ChildStdio(boolean nullStdin, OutputStream out, OutputStream err) {
        this.nullStdin = nullStdin;
        this.out = out;
        this.err = err;
    }

    /** The stream for Python's descriptor 1 or 2 in this Context, null where it is the real one. */
    OutputStream sink(int fd) {
        return fd == 1 ? out : fd == 2 ? err : null;
    }

    /** Launches a child with {@code spawn}, which gets the descriptors the child must have. */
    ChildProcess launch(Function<ChildLauncher.Stdio, ChildProcess> spawn) {
        int[] outPipe = out == null ? null : LibC.pipe();
        int[] errPipe = err == null ? null : LibC.pipe();
        ChildProcess child;
        try {
            child = spawn.apply(new ChildLauncher.Stdio(nullStdin,
                    outPipe == null ? -1 : outPipe[1], errPipe == null ? -1 : errPipe[1]));
        } catch (RuntimeException e) {
            closeAll(outPipe, 0);
            closeAll(errPipe, 0);
            throw e;
        } finally {
            closeAll(outPipe, 1);
            closeAll(errPipe, 1);
        }
        if (outPipe != null) {
            copy(outPipe[0], out, child.pid());
        }
        if (errPipe != null) {
            copy(errPipe[0], err, child.pid());
        }
        return child;
    }

    private static void closeAll(int[] pipe, int end) {
        if (pipe != null) {
            LibC.close(pipe[end]);
        }
    }

    /** Copies the pipe into the stream until every writer has gone (the child and its own children). */
    private static void copy(int fd, OutputStream sink, int pid) {
        Thread.ofPlatform().daemon().name("polyproc-output-" + pid).stackSize(256 * 1024).start(() -> {
            try {
                byte[] chunk;
                while ((chunk = LibC.readSome(fd, 16 * 1024)).length > 0) {
                    write(sink, chunk);
                }
            } finally {
                LibC.close(fd);
            }
        });
    }

    /** Writes and flushes under the stream's lock: the parent and its children share one stream. */
    static void write(OutputStream sink, byte[] data) {
        synchronized (sink) {
            try {
                sink.write(data);
                sink.flush();
            } catch (IOException e) {
                // The host closed its stream: the output has nowhere to go, as on a closed terminal.
            }
        }
    }
}
