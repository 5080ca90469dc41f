package polyproc.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import polyproc.internal.posix.ProcessAttributes;

/**
 * The protocol between the {@code polyproc} command's client (src/main/c/polyproc-client.c) and
 * the polyproc server (polyproc.server), on a Unix socket.
 *
 * <p>Request, client to server, in the client's byte order (the same machine): a 4-byte length,
 * then the body: magic, {@link Kind}, and for RUN the command as the client got it: argv,
 * environment, working directory, umask, nice value, the signals it ignores, resource limits.
 * A RUN carries the client's descriptors 0, 1 and 2 (SCM_RIGHTS) on its first byte.
 *
 * <p>Replies, server (or the worker running the program) to client: lines of text,
 * {@code <letter> <value>\n}: {@value #PID} the program's pid (the client forwards signals to
 * it), {@value #EXIT} its exit status, {@value #KILLED} the signal that killed it,
 * {@value #DIRECT} why the server does not run it (the client runs the command itself),
 * {@value #ERROR} a refusal; STATUS is answered with text lines, then end of file. The client
 * takes the first status ({@value #EXIT} or {@value #KILLED}) it reads.
 */
public final class ServerProtocol {
    private ServerProtocol() {}

    public static final int MAGIC = 0x50505131; // "PPQ1"
    /** More than any argv + environment Linux lets a command have (ARG_MAX is 2 MiB here). */
    public static final int MAX_REQUEST_BYTES = 8 << 20;
    public static final char PID = 'P';
    public static final char EXIT = 'X';
    public static final char KILLED = 'S';
    public static final char DIRECT = 'D';
    public static final char ERROR = 'E';

    /**
     * RUN: a command's program. CHILD: a served program's forkserver child (sent by the program,
     * with its environment and descriptors 0-2): the server lends a booted worker, answering
     * {@value #PID} with the worker's bootstrap socket attached, and later its exit status.
     */
    public enum Kind { RUN, STATUS, STOP, CHILD }

    /**
     * What a command asks for: a program to run as it would run it, or the server's state.
     * {@code ignoredSignals}: bit N set when the command ignores signal N (SIG_IGN survives exec:
     * the program starts with it ignored, as it would have).
     */
    public record Request(Kind kind, List<String> argv, List<String> env, String cwd, int umask, int nice,
                          long ignoredSignals, List<ProcessAttributes.Limit> limits) {}

    /** A request that cannot be read; the message says what is wrong with it. */
    public static final class BadRequest extends Exception {
        public BadRequest(String message) {
            super(message);
        }
    }

    /** The request's length from its 4-byte head. */
    public static int length(byte[] head) throws BadRequest {
        int length = ByteBuffer.wrap(head).order(ByteOrder.nativeOrder()).getInt();
        if (length < 8 || length > MAX_REQUEST_BYTES) {
            throw new BadRequest("a request of " + length + " bytes");
        }
        return length;
    }

    public static Request parse(byte[] body) throws BadRequest {
        ByteBuffer in = ByteBuffer.wrap(body).order(ByteOrder.nativeOrder());
        try {
            if (in.getInt() != MAGIC) {
                throw new BadRequest("not a polyproc request (or another polyproc build's)");
            }
            int kind = in.getInt();
            if (kind < 0 || kind >= Kind.values().length) {
                throw new BadRequest("unknown request kind " + kind);
            }
            if (kind != Kind.RUN.ordinal() && kind != Kind.CHILD.ordinal()) {
                return new Request(Kind.values()[kind], List.of(), List.of(), "/", 0, 0, 0, List.of());
            }
            List<String> argv = strings(in);
            List<String> env = strings(in);
            String cwd = string(in);
            int umask = in.getInt();
            int nice = in.getInt();
            long ignoredSignals = in.getLong();
            int count = count(in, 20);
            List<ProcessAttributes.Limit> limits = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                limits.add(new ProcessAttributes.Limit(in.getInt(), in.getLong(), in.getLong()));
            }
            if (in.hasRemaining()) {
                throw new BadRequest(in.remaining() + " bytes after the request");
            }
            return new Request(Kind.values()[kind], argv, env, cwd, umask, nice, ignoredSignals, limits);
        } catch (BufferUnderflowException e) {
            throw new BadRequest("a truncated request");
        }
    }

    private static int count(ByteBuffer in, int minBytesEach) throws BadRequest {
        int n = in.getInt();
        if (n < 0 || (long) n * minBytesEach > in.remaining()) {
            throw new BadRequest("a count of " + n + " with " + in.remaining() + " bytes left");
        }
        return n;
    }

    private static List<String> strings(ByteBuffer in) throws BadRequest {
        int n = count(in, 4);
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(string(in));
        }
        return list;
    }

    private static String string(ByteBuffer in) throws BadRequest {
        int length = count(in, 1);
        byte[] bytes = new byte[length];
        in.get(bytes);
        // As the JVM decodes its own arguments; Python's os.fsencode gives the bytes back.
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The request's bytes as the client sends them: 4-byte length, then the body. */
    public static byte[] encode(Request r) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        body.writeBytes(b.putInt(MAGIC).putInt(r.kind().ordinal()).array());
        putStrings(body, r.argv());
        putStrings(body, r.env());
        putString(body, r.cwd());
        body.writeBytes(ByteBuffer.allocate(20).order(ByteOrder.nativeOrder())
                .putInt(r.umask()).putInt(r.nice()).putLong(r.ignoredSignals()).putInt(r.limits().size()).array());
        for (ProcessAttributes.Limit l : r.limits()) {
            body.writeBytes(ByteBuffer.allocate(20).order(ByteOrder.nativeOrder())
                    .putInt(l.resource()).putLong(l.soft()).putLong(l.hard()).array());
        }
        byte[] bytes = body.toByteArray();
        return ByteBuffer.allocate(4 + bytes.length).order(ByteOrder.nativeOrder()).putInt(bytes.length).put(bytes).array();
    }

    private static void putStrings(java.io.ByteArrayOutputStream out, List<String> list) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(list.size()).array());
        list.forEach(s -> putString(out, s));
    }

    private static void putString(java.io.ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(b.length).array());
        out.writeBytes(b);
    }

    /** One reply line. */
    public static byte[] reply(char letter, Object value) {
        return (letter + " " + value + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
