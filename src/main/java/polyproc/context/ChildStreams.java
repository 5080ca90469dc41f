package polyproc.context;

import java.io.OutputStream;

/**
 * Where the standard streams of one Context's children go. The {@code polyproc} command
 * ({@link #INHERIT}): its own descriptors 0, 1 and 2, as CPython's children share their parent's.
 * A Java host: the Context's {@code out}/{@code err} streams (through a pipe per stream and child:
 * polyproc.launch.ChildStdio), and stdin /dev/null unless the host asks for its own.
 *
 * @param nullStdin the children read /dev/null rather than this process's descriptor 0
 * @param out       where their descriptor 1 goes; null: this process's descriptor 1
 * @param err       where their descriptor 2 goes; null: this process's descriptor 2
 */
public record ChildStreams(boolean nullStdin, OutputStream out, OutputStream err) {
    public static final ChildStreams INHERIT = new ChildStreams(false, null, null);

    /** The stream for Python's descriptor 1 or 2 in this Context, null where it is the real one. */
    public OutputStream sink(int fd) {
        return fd == 1 ? out : fd == 2 ? err : null;
    }
}
