package polyproc.worker;

import java.io.IOException;
import java.nio.file.Path;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;

import polyproc.cli.Arguments;
import polyproc.cli.Main;
import polyproc.internal.posix.Io;
import polyproc.internal.posix.Poll;
import polyproc.internal.posix.PosixException;
import polyproc.internal.posix.ProcessAttributes;
import polyproc.internal.posix.Processes;
import polyproc.internal.posix.Signals;
import polyproc.launch.ServerLink;
import polyproc.protocol.Bootstrap;
import polyproc.protocol.ServerProtocol;

/**
 * A worker of the polyproc server ({@link Bootstrap.Mode#PROGRAM}): booted and prepared before
 * any command asks, it takes one command's program and runs it as the {@code polyproc} command
 * would (or, lent to a served program, one of its forkserver children) (cli.Main's run path), in the command's directory, environment, umask, nice value and
 * resource limits, on the command's own descriptors 0-2. It reports its pid and then its exit
 * status to the command itself, on the command's connection, so a running program needs the
 * server for nothing: it no longer dies with the server, and it dies with the command (the
 * connection hangs up when the command ends, SIGKILL included).
 */
final class ProgramWorker {
    private ProgramWorker() {}

    /** Set once a program is ours: the server's hang-up no longer ends this process. */
    static volatile boolean serving;

    /** {@code serverSocket}: where the program finds its server again, for its children (ServerLink). */
    static void run(Context context, int bootstrapFd, String serverSocket) {
        context.eval("python", "import polyproc.program\npolyproc.program.prepare").execute(bootstrapFd);
        Bootstrap.Program program = Bootstrap.receiveProgram(bootstrapFd);
        serving = true;
        int connection = program.connection();
        endWithCommand(connection);
        ServerProtocol.Request request;
        Arguments.Invocation inv;
        try {
            request = ServerProtocol.parse(program.request());
            inv = request.kind() == ServerProtocol.Kind.CHILD ? null
                    : Arguments.parse(request.argv().toArray(String[]::new));
        } catch (ServerProtocol.BadRequest | Arguments.UsageError e) {
            // The server checked both before handing the program over: only a bug lands here.
            reply(connection, ServerProtocol.DIRECT, e.getMessage());
            Signals.raise(Signals.SIGKILL);
            return;
        }
        try {
            ProcessAttributes.umask(request.umask());
            for (ProcessAttributes.Limit limit : request.limits()) {
                ProcessAttributes.setLimit(limit);
            }
            ProcessAttributes.setNice(request.nice());
        } catch (PosixException e) {
            // A hard limit above the server's, a nice value below it: only the command can.
            reply(connection, ServerProtocol.DIRECT, e.getMessage());
            Signals.raise(Signals.SIGKILL);
            return;
        }
        System.out.flush();
        System.err.flush();
        for (int fd = 0; fd < 3; fd++) {
            Io.dup2(program.stdio()[fd], fd);
            Io.close(program.stdio()[fd]);
        }
        if (request.kind() == ServerProtocol.Kind.CHILD) {
            // A served program's forkserver child: its Process comes on the bootstrap socket.
            int code = context.eval("python", "import polyproc.program\npolyproc.program.run_child").execute(
                    request.env().toArray(), request.cwd(), bootstrapFd).asInt();
            reply(connection, ServerProtocol.EXIT, code);
            Processes.exitNow(code);
        }
        ServerLink.use(serverSocket);
        Path cwd = Path.of(request.cwd());
        boolean isFile = inv.script() != null && !inv.script().equals("-");
        context.eval("python", "import polyproc.program\npolyproc.program.enter").execute(
                inv.argv().toArray(), request.env().toArray(), request.cwd(), isFile ? inv.script() : null);
        reply(connection, ServerProtocol.PID, ProcessHandle.current().pid());
        int code;
        if (Main.scriptIsMissing(inv, cwd)) {
            code = 2;
        } else {
            Source main;
            try {
                main = Main.mainSource(inv, isFile ? cwd.resolve(inv.script()) : null);
            } catch (IOException e) {
                System.err.println(Main.launcher() + ": " + e.getMessage());
                main = null;
            }
            code = main == null ? 1 : Main.runProgram(context, main);
        }
        reply(connection, ServerProtocol.EXIT, code);
        Processes.exitNow(code);
    }

    private static void reply(int connection, char letter, Object value) {
        Io.writeFully(connection, ServerProtocol.reply(letter, value));
    }

    /**
     * The command ended (its end of the connection hung up: killed, or done): so does the
     * program, at once, as it would have if it were the command's own process.
     */
    private static void endWithCommand(int connection) {
        Thread.ofPlatform().daemon().name("polyproc-command-watch").stackSize(128 * 1024).start(() -> {
            while ((Poll.pollOne(connection, (short) 0, -1) & Poll.POLLHUP) == 0) {
                // woken by something other than the hang-up; keep waiting
            }
            Signals.raise(Signals.SIGKILL);
        });
    }
}
