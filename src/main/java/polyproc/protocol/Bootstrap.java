package polyproc.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

import polyproc.context.ContextSpec;
import polyproc.internal.posix.Io;
import polyproc.internal.posix.PosixException;
import polyproc.internal.posix.Sockets;

/**
 * The protocol on a worker JVM's bootstrap socket, its descriptor {@value #FD}:
 * <ol>
 * <li>boot message, sent at launch: magic, the {@link Mode}, the ContextSpec the worker builds
 *     its Context from, and the preparation (for polyproc.forkserver: what to import before the
 *     task comes; empty for spawn);
 * <li>a forkserver worker writes one byte ({@value #READY}) once it is prepared;
 * <li>task message, sent when a Process starts (at once for spawn, later for forkserver): a head
 *     with the number of descriptors, which travel with it (SCM_RIGHTS), then the pickled
 *     preparation data and Process object, read by the stdlib's spawn._main;
 * <li>or, to a {@link Mode#PROGRAM} worker of the polyproc server, a program message: a head with
 *     the request's length, the command's connection and descriptors 0, 1 and 2 (SCM_RIGHTS),
 *     then the command's request ({@link ServerProtocol}).
 * </ol>
 * The parent keeps its end of the socket until it has reaped the worker: the worker sees a
 * hang-up exactly when the parent is gone (polyproc.worker.WorkerMain).
 */
public final class Bootstrap {
    /** The descriptor at which a worker finds its bootstrap socket. */
    public static final int FD = 3;
    /** What a prepared worker writes (python/polyproc/worker.py; ProgramWorker for the server's). */
    public static final char READY = 'R';
    /** The most descriptors one task carries (one SCM_RIGHTS message). */
    public static final int MAX_TASK_FDS = Sockets.MAX_FDS_PER_MESSAGE;

    private static final int BOOT_MAGIC = 0x50504303; // "PPC", protocol version 3
    private static final int TASK_MAGIC = 0x50505401; // "PPT", 1
    private static final int PROGRAM_MAGIC = 0x50505001; // "PPP", 1
    /** A program message's descriptors: the command's connection, then its 0, 1 and 2. */
    public static final int PROGRAM_FDS = 4;

    private Bootstrap() {}

    /** How a worker runs its one task. */
    public enum Mode {
        /** The task comes at once; the worker ends as the interpreter's exit does (atexit). */
        SPAWN,
        /** The worker prepares, says {@value #READY}, waits for its task and ends with os._exit. */
        FORKSERVER,
        /**
         * A polyproc server's worker: prepares, says {@value #READY}, waits for a program (a
         * command's request) and runs it as the {@code polyproc} command would.
         */
        PROGRAM
    }

    /** What a worker boots with. */
    public record Boot(Mode mode, ContextSpec spec, String preparation) {}

    public static byte[] bootMessage(Boot boot) {
        byte[] spec = boot.spec().toBytes();
        byte[] preparation = boot.preparation().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + spec.length + preparation.length)
                .putInt(BOOT_MAGIC).putInt(boot.mode().ordinal())
                .putInt(spec.length).put(spec).putInt(preparation.length).put(preparation).array();
    }

    /** The boot message, read with {@code readExactly}. */
    public static Boot readBoot(IntFunction<byte[]> readExactly) {
        ByteBuffer head = ByteBuffer.wrap(readExactly.apply(12));
        if (head.getInt() != BOOT_MAGIC) {
            throw new IllegalStateException("not a polyproc bootstrap socket (or another polyproc build)");
        }
        Mode mode = Mode.values()[head.getInt()];
        ContextSpec spec = ContextSpec.fromBytes(readExactly.apply(head.getInt()));
        int length = ByteBuffer.wrap(readExactly.apply(4)).getInt();
        return new Boot(mode, spec, new String(readExactly.apply(length), StandardCharsets.UTF_8));
    }

    /** The head of a task message that carries {@code fdCount} descriptors. */
    public static byte[] taskHead(int fdCount) {
        if (fdCount > MAX_TASK_FDS) {
            throw new IllegalArgumentException("a Process can carry at most " + MAX_TASK_FDS
                    + " descriptors, not " + fdCount);
        }
        return ByteBuffer.allocate(8).putInt(TASK_MAGIC).putInt(fdCount).array();
    }

    /** In the worker: blocks until the task's head arrives; returns the descriptors it brought. */
    public static int[] receiveTask(int socketFd) {
        Sockets.Received first = Sockets.receiveWithFds(socketFd, 8, MAX_TASK_FDS);
        if (first.data().length == 0) {
            throw new PosixException("the parent closed the bootstrap socket before sending a task", 0);
        }
        ByteBuffer head = ByteBuffer.allocate(8).put(first.data());
        if (head.position() < 8) {
            head.put(Io.readFully(socketFd, 8 - head.position()));
        }
        head.flip();
        int magic = head.getInt();
        int count = head.getInt();
        if (magic != TASK_MAGIC || count != first.fds().length) {
            throw new IllegalStateException("bad task message: " + count + " descriptors announced, "
                    + first.fds().length + " received");
        }
        return first.fds();
    }

    /** The head of a program message with a request of {@code length} bytes. */
    public static byte[] programHead(int length) {
        return ByteBuffer.allocate(12).putInt(PROGRAM_MAGIC).putInt(PROGRAM_FDS).putInt(length).array();
    }

    /** A program as a worker receives it: the command's connection, its descriptors 0-2, its request. */
    public record Program(int connection, int[] stdio, byte[] request) {}

    /** In a {@link Mode#PROGRAM} worker: blocks until the program comes. */
    public static Program receiveProgram(int socketFd) {
        Sockets.Received first = Sockets.receiveWithFds(socketFd, 12, PROGRAM_FDS);
        if (first.data().length == 0) {
            throw new PosixException("the server closed the bootstrap socket before sending a program", 0);
        }
        ByteBuffer head = ByteBuffer.allocate(12).put(first.data());
        if (head.position() < 12) {
            head.put(Io.readFully(socketFd, 12 - head.position()));
        }
        head.flip();
        if (head.getInt() != PROGRAM_MAGIC || head.getInt() != PROGRAM_FDS || first.fds().length != PROGRAM_FDS) {
            throw new IllegalStateException("bad program message (" + first.fds().length + " descriptors)");
        }
        byte[] request = Io.readFully(socketFd, head.getInt());
        int[] fds = first.fds();
        return new Program(fds[0], new int[] {fds[1], fds[2], fds[3]}, request);
    }
}
