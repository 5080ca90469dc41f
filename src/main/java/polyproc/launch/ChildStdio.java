package polyproc.launch;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Function;

import polyproc.context.ChildStreams;
import polyproc.internal.posix.Io;
import polyproc.supervise.ChildProcess;
import polyproc.supervise.Supervisor;

/**
 * Gives a child the standard streams {@link ChildStreams} describe. Where they go to a Java
 * host's stream rather than a descriptor of this process, the child writes to a pipe and the
 * {@link Supervisor} copies it to the stream (not the host's descriptors 1 and 2, which are not
 * where a host's Context writes).
 */
public final class ChildStdio {
    private ChildStdio() {}

    /** Launches a child with {@code spawn}, which gets the descriptors the child must have. */
    public static ChildProcess launch(ChildStreams streams, Function<Spawner.Stdio, ChildProcess> spawn) {
        int[] outPipe = streams.out() == null ? null : Io.pipe();
        int[] errPipe = streams.err() == null ? null : Io.pipe();
        ChildProcess child;
        try {
            child = spawn.apply(new Spawner.Stdio(streams.nullStdin(),
                    outPipe == null ? -1 : outPipe[1], errPipe == null ? -1 : errPipe[1]));
        } catch (RuntimeException e) {
            closeEnd(outPipe, 0);
            closeEnd(errPipe, 0);
            throw e;
        } finally {
            closeEnd(outPipe, 1);
            closeEnd(errPipe, 1);
        }
        // Until every writer has gone: the child and its own children.
        if (outPipe != null) {
            Supervisor.read(outPipe[0], chunk -> write(streams.out(), chunk), () -> { });
        }
        if (errPipe != null) {
            Supervisor.read(errPipe[0], chunk -> write(streams.err(), chunk), () -> { });
        }
        return child;
    }

    private static void closeEnd(int[] pipe, int end) {
        if (pipe != null) {
            Io.close(pipe[end]);
        }
    }

    /** Writes and flushes under the stream's lock: the parent and its children share one stream. */
    public static void write(OutputStream sink, byte[] data) {
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
