package polyproc.worker;

import java.io.IOException;
import java.nio.file.Path;

import org.graalvm.polyglot.Context;

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
 * A worker of the polyproc server ({@link Bootstrap.Mode#PROGRAM}), booted and prepared before
 * any command asks. It takes one command's program and runs it as the {@code polyproc} command
 * would (cli.Main's run path), or, lent to a served program, runs one of its forkserver
 * children; either way in the command's directory, environment, umask, nice value and resource
 * limits, on the command's own descriptors 0-2. It reports its pid and then its exit status to
 * the command itself, on the command's connection, so a running program needs the server for
 * nothing: it does not die with the server, and it dies with the command (the connection hangs
 * up when the command ends, SIGKILL included).
 */
final class ProgramWorker {
    private ProgramWorker() {}

    /** Set once a program is ours: the server's hang-up no longer ends this process. */
    static volatile boolean serving;

    /** {@code serverSocket}: where the program finds its server again, for its children (ServerLink). */
    static void run(Context context, int bootstrapFd, String serverSocket) {
        context.eval("python", "import polyproc.program\npolyproc.program.prepare").execute();
        Settling.settle();
        Io.writeFully(bootstrapFd, new byte[] {Bootstrap.READY});
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
        int code = request.kind() == ServerProtocol.Kind.CHILD
                ? runChild(context, request, bootstrapFd)
                : runProgram(context, request, inv, serverSocket, connection);
        reply(connection, ServerProtocol.EXIT, code);
        Processes.exitNow(code);
    }

    /** A served program's forkserver child: its Process comes on the bootstrap socket. */
    private static int runChild(Context context, ServerProtocol.Request request, int bootstrapFd) {
        return context.eval("python", "import polyproc.program\npolyproc.program.run_child").execute(
                request.env().toArray(), request.cwd(), bootstrapFd).asInt();
    }

    /** The command's program, as cli.Main runs it; its exit code. */
    private static int runProgram(Context context, ServerProtocol.Request request, Arguments.Invocation inv,
                                  String serverSocket, int connection) {
        ServerLink.use(serverSocket);
        Path cwd = Path.of(request.cwd());
        boolean isFile = inv.script() != null && !inv.script().equals("-");
        context.eval("python", "import polyproc.program\npolyproc.program.enter").execute(
                inv.argv().toArray(), request.env().toArray(), request.cwd(), isFile ? inv.script() : null);
        takeIgnoredSignals(request.ignoredSignals());
        // Signals the command forwards from now on meet the program's handlers.
        reply(connection, ServerProtocol.PID, ProcessHandle.current().pid());
        if (Main.scriptIsMissing(inv, cwd)) {
            return 2;
        }
        try {
            return Main.runProgram(context, Main.mainSource(inv, isFile ? cwd.resolve(inv.script()) : null));
        } catch (IOException e) {
            System.err.println(Main.launcher() + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * The signals the client passes on, less SIGUSR2 (the JVM's, for thread suspension). The
     * client passes on those its command ignores too: what becomes of one is the program's.
     */
    private static final int[] FORWARDED = {Signals.SIGHUP, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGUSR1,
        Signals.SIGTERM, Signals.SIGCONT, Signals.SIGTSTP, Signals.SIGWINCH};

    /** Those the command ignores are ignored here too, as the program would have inherited them. */
    private static void takeIgnoredSignals(long ignored) {
        for (int sig : FORWARDED) {
            if ((ignored & 1L << sig) != 0) {
                Signals.ignore(sig);
            }
        }
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
