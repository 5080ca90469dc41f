package polyproc.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;

import polyproc.posix.LibC;
import polyproc.posix.PosixException;
import polyproc.process.ChildLauncher;
import polyproc.process.ChildProcess;
import polyproc.worker.ChildMain;

/**
 * How a worker JVM is started, and the protocol on its bootstrap socket (descriptor 3):
 * <ol>
 * <li>boot message, sent at launch: magic, the ContextSpec the worker builds its Context from,
 *     and the boot data (text for polyproc.child: what to import before the task comes);
 * <li>task message, sent when a Process starts (at once for 'spawn', later for 'forkserver'):
 *     a head with the number of descriptors, which travel with it (SCM_RIGHTS), then the pickled
 *     preparation data and Process object, read by the stdlib's spawn._main.
 * </ol>
 * The parent keeps its end of the socket until it has reaped the worker: the worker sees a
 * hang-up exactly when the parent is gone (polyproc.worker.ChildMain).
 */
public record WorkerConfig(ContextSpec spec, ChildSettings settings, List<String> env, String cwd,
                           String childJavaOptions, String bootData) {
    private static final int BOOT_MAGIC = 0x50504302; // "PPC", protocol version 2
    private static final int TASK_MAGIC = 0x50505401; // "PPT", 1

    static WorkerConfig of(ContextSpec spec, ChildSettings settings, List<String> env, String cwd, String bootData) {
        String prefix = JvmCommand.CHILD_OPTIONS_ENV + "=";
        String options = env.stream().filter(kv -> kv.startsWith(prefix))
                .map(kv -> kv.substring(prefix.length())).findFirst().orElse(null);
        return new WorkerConfig(spec, settings, List.copyOf(env), cwd, options, bootData);
    }

    /** Launches a worker JVM; it boots on its own and then waits for its task. */
    ChildProcess boot() {
        byte[] specBytes = spec.toBytes();
        byte[] data = bootData.getBytes(StandardCharsets.UTF_8);
        ByteBuffer message = ByteBuffer.allocate(12 + specBytes.length + data.length);
        message.putInt(BOOT_MAGIC).putInt(specBytes.length).put(specBytes).putInt(data.length).put(data);
        List<String> command = ChildLauncher.diesWithParent(
                JvmCommand.forMain(ChildMain.class, settings.javaOptions(), childJavaOptions));
        return settings.stdio().launch(stdio -> ChildLauncher.spawn(command, env, cwd, stdio,
                new int[0], message.array()));
    }

    /** Sends the task; false if the worker has ended and cannot take it. */
    static boolean sendTask(ChildProcess worker, int[] fds, byte[] payload) {
        if (fds.length > LibC.MAX_FDS_PER_MESSAGE) {
            throw new IllegalArgumentException("a Process can carry at most " + LibC.MAX_FDS_PER_MESSAGE
                    + " descriptors, not " + fds.length);
        }
        byte[] head = ByteBuffer.allocate(8).putInt(TASK_MAGIC).putInt(fds.length).array();
        return worker.send(head, fds, payload);
    }

    /** The ContextSpec and boot data of a boot message, read with {@code readExactly}. */
    public record Boot(ContextSpec spec, String bootData) {}

    public static Boot readBoot(IntFunction<byte[]> readExactly) {
        ByteBuffer head = ByteBuffer.wrap(readExactly.apply(8));
        if (head.getInt() != BOOT_MAGIC) {
            throw new IllegalStateException("not a polyproc bootstrap socket");
        }
        ContextSpec spec = ContextSpec.fromBytes(readExactly.apply(head.getInt()));
        int dataLength = ByteBuffer.wrap(readExactly.apply(4)).getInt();
        return new Boot(spec, new String(readExactly.apply(dataLength), StandardCharsets.UTF_8));
    }

    /** In the worker: blocks until the task's head arrives; returns the descriptors it brought. */
    static int[] receiveTask(int socketFd) {
        LibC.Received first = LibC.receiveWithFds(socketFd, 8, LibC.MAX_FDS_PER_MESSAGE);
        if (first.data().length == 0) {
            throw new PosixException("the parent closed the bootstrap socket before sending a task", 0);
        }
        ByteBuffer head = ByteBuffer.allocate(8).put(first.data());
        if (head.position() < 8) {
            head.put(LibC.readFully(socketFd, 8 - head.position()));
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
}
