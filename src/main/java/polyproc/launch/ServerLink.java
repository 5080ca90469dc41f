package polyproc.launch;

import java.nio.charset.StandardCharsets;
import java.util.List;

import polyproc.internal.posix.Io;
import polyproc.internal.posix.PosixException;
import polyproc.internal.posix.ProcessAttributes;
import polyproc.internal.posix.Sockets;
import polyproc.protocol.ServerProtocol;
import polyproc.supervise.ChildProcess;

/**
 * A served program's way back to its polyproc server (polyproc.server.ServerMain): its
 * forkserver children are the server's booted workers, lent to it, when the server has one
 * ready. Set by polyproc.worker.ProgramWorker when the program starts; unset (a direct run, a
 * Java host) every child is launched here.
 */
public final class ServerLink {
    private static volatile String socketPath;

    private ServerLink() {}

    /** This process runs a program of the server listening at {@code path}. */
    public static void use(String path) {
        socketPath = path;
    }

    public static boolean inUse() {
        return socketPath != null;
    }

    /**
     * A booted worker of the server, lent to this process, that takes its environment,
     * directory, umask, nice value, resource limits and descriptors 0-2 from {@code env},
     * {@code cwd} and this process, with no signal ignored (a child from Spawner starts with
     * HUP, INT, QUIT and TERM at their default actions too); null if the server has none ready
     * or cannot be reached.
     */
    public static ChildProcess borrow(List<String> env, String cwd) {
        String path = socketPath;
        if (path == null) {
            return null;
        }
        int connection;
        try {
            connection = Sockets.connect(path);
        } catch (PosixException e) {
            socketPath = null; // the server has gone: from now on children boot here
            return null;
        }
        try {
            ServerProtocol.Request request = new ServerProtocol.Request(ServerProtocol.Kind.CHILD, List.of(), env, cwd,
                    ProcessAttributes.currentUmask(), ProcessAttributes.nice(), 0, ProcessAttributes.limits());
            Sockets.sendWithFds(connection, ServerProtocol.encode(request), new int[] {0, 1, 2});
            Sockets.Received reply = Sockets.receiveWithFds(connection, 64, 1);
            String line = new String(reply.data(), StandardCharsets.UTF_8);
            if (reply.fds().length == 1 && line.startsWith(ServerProtocol.PID + " ") && line.endsWith("\n")) {
                return ChildProcess.lent(Integer.parseInt(line.substring(2).trim()), reply.fds()[0], connection);
            }
            for (int fd : reply.fds()) {
                Io.close(fd);
            }
        } catch (PosixException | NumberFormatException e) {
            // no worker for us: boot one here
        }
        Io.close(connection);
        return null;
    }
}
