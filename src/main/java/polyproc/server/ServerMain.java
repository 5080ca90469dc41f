package polyproc.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import polyproc.cli.Arguments;
import polyproc.cli.Main;
import polyproc.context.ChildSettings;
import polyproc.context.ContextSpec;
import polyproc.context.PolyprocOptions;
import polyproc.internal.posix.Io;
import polyproc.internal.posix.Poll;
import polyproc.internal.posix.PosixException;
import polyproc.internal.posix.ProcessAttributes;
import polyproc.internal.posix.Sockets;
import polyproc.forkserver.WorkerPool;
import polyproc.launch.WorkerLauncher;
import polyproc.protocol.Bootstrap;
import polyproc.protocol.ServerProtocol;
import polyproc.supervise.ChildProcess;

/**
 * The polyproc server: one per user and configuration, started in the background by the
 * {@code polyproc} command's client (src/main/c/polyproc-client.c) with the command's own java
 * command line. It keeps program workers booted ({@link ProgramWorkers}) and hands each command
 * one, with the command's connection and descriptors: the worker runs the program and answers
 * the command itself (worker.ProgramWorker), so the server only reports a worker's death by a
 * signal. Arguments: the server's folder and its key (the client's hash of the java command,
 * its options, the class path and the build), which names the socket
 * {@code FOLDER/KEY.sock}: another configuration never reaches this server.
 *
 * <p>Private to its user: the folder must be the user's and closed to others (0700, not a
 * link), the socket is made under umask 077, and every connection's peer must be this uid
 * (SO_PEERCRED). One server per key: it holds {@code FOLDER/KEY.lock} (a POSIX record lock,
 * which the client's starter took before it exec'd this JVM) while it runs, so of two started
 * at once one exits at once, and a stop finds a server that is still starting. It ends after
 * {@value #IDLE_TIMEOUT_ENV} seconds (default {@value #DEFAULT_IDLE_TIMEOUT_S}) without a
 * command and without a running program.
 */
public final class ServerMain {
    public static final String IDLE_TIMEOUT_ENV = "POLYPROC_SERVER_IDLE_TIMEOUT";
    static final long DEFAULT_IDLE_TIMEOUT_S = 600;
    /** How long a command waits for a worker that is still booting before it runs on its own. */
    static final long TAKE_WAIT_MS = 15_000;
    /** How long a client may take to send its request. */
    static final int REQUEST_TIMEOUT_MS = 5_000;
    /**
     * Variables that a worker's JVM or interpreter reads as it boots, besides every PYTHON*
     * variable: a command whose values differ from the server's (whose workers boot with the
     * server's, those of the command that started it) runs on its own.
     */
    static final List<String> BOOT_VARIABLES = List.of("LANG", "LC_ALL", "LC_CTYPE", "HOME", "TZ",
            "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "LD_PRELOAD", "LD_LIBRARY_PATH");

    private final Path socket;
    private final ProgramWorkers workers;
    private final int uid = ProcessAttributes.uid();
    private final long started = System.currentTimeMillis();
    private final Duration idleTimeout;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private volatile long lastCommand = System.nanoTime();
    private volatile boolean stopping;
    private final AtomicBoolean released = new AtomicBoolean();

    private ServerMain(Path socket, ProgramWorkers workers, Duration idleTimeout) {
        this.socket = socket;
        this.workers = workers;
        this.idleTimeout = idleTimeout;
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        String key = args[1];
        String refusal = whyNotPrivate(folder);
        if (refusal != null) {
            System.err.println("polyproc server: " + refusal);
            System.exit(1);
        }
        ProcessAttributes.umask(077);
        FileChannel lockFile = FileChannel.open(folder.resolve(key + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock();
        if (lock == null) {
            System.exit(0); // another server of this key runs, or is starting
        }
        Path socket = folder.resolve(key + ".sock");
        Files.deleteIfExists(socket); // a dead server's: we hold the lock, so no live one has it
        int listening = Sockets.listen(socket.toString(), 64);
        Map<String, String> env = System.getenv();
        ContextSpec spec = new ContextSpec(PolyprocOptions.command(Main.launcher(), Map.of()));
        List<String> workerEnv = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        // A program worker's preparation is where its program finds the server again (ServerLink).
        WorkerLauncher launcher = new WorkerLauncher(spec, ChildSettings.COMMAND, workerEnv, "/",
                Bootstrap.Mode.PROGRAM, socket.toString());
        ProgramWorkers workers = new ProgramWorkers(launcher, WorkerPool.availableMemory());
        String timeout = env.get(IDLE_TIMEOUT_ENV);
        ServerMain server = new ServerMain(socket, workers,
                Duration.ofSeconds(timeout == null ? DEFAULT_IDLE_TIMEOUT_S : Long.parseLong(timeout.trim())));
        // SIGTERM, SIGHUP, SIGINT (the JVM's shutdown): the same clean end as the idle timeout's.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(server::release));
        server.serve(listening);
        lock.release();
    }

    /** Null if {@code folder} is a real folder of this user that nobody else may use; else why not. */
    static String whyNotPrivate(Path folder) {
        try {
            Map<String, Object> a = Files.readAttributes(folder, "unix:uid,mode,isDirectory", LinkOption.NOFOLLOW_LINKS);
            if (!(Boolean) a.get("isDirectory")) {
                return folder + " is not a folder";
            }
            if ((Integer) a.get("uid") != ProcessAttributes.uid()) {
                return folder + " belongs to another user";
            }
            if (((Integer) a.get("mode") & 077) != 0) {
                return folder + " is open to other users (mode " + Integer.toOctalString((Integer) a.get("mode") & 0777) + ")";
            }
            return null;
        } catch (IOException e) {
            return folder + ": " + e;
        }
    }

    private void serve(int listening) {
        while (!stopping) {
            short ready = Poll.pollOne(listening, Poll.POLLIN, 1000);
            if ((ready & Poll.POLLIN) != 0) {
                int connection = Sockets.accept(listening);
                if (connection >= 0) {
                    lastCommand = System.nanoTime();
                    Thread.ofPlatform().daemon().name("polyproc-server-command").start(() -> handle(connection));
                }
            } else if (running.get() == 0 && System.nanoTime() - lastCommand > idleTimeout.toNanos()) {
                break;
            }
        }
        release();
        Io.close(listening);
    }

    /** Removes the socket and ends the idle workers, once; before the lock is let go. */
    private void release() {
        if (released.getAndSet(true)) {
            return;
        }
        // Unlinked while we hold the lock: a new server may bind the path from here on.
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // nothing to clean then
        }
        workers.close();
    }

    private void handle(int connection) {
        int[] stdio = new int[0];
        try {
            if (Sockets.peerUid(connection) != uid) {
                reply(connection, ServerProtocol.ERROR, "refused: the connection is from another user");
                return;
            }
            long deadline = System.nanoTime() + REQUEST_TIMEOUT_MS * 1_000_000L;
            waitReadable(connection, deadline);
            Sockets.Received first = Sockets.receiveWithFds(connection, 4, 3);
            stdio = first.fds();
            byte[] head = concat(first.data(), readExactly(connection, 4 - first.data().length, deadline));
            byte[] body = readExactly(connection, ServerProtocol.length(head), deadline);
            ServerProtocol.Request request = ServerProtocol.parse(body);
            switch (request.kind()) {
                case STATUS -> Io.writeFully(connection, status().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                case STOP -> {
                    stopping = true;
                    release(); // before the answer: no command reaches this server after it
                    reply(connection, ServerProtocol.EXIT, 0);
                }
                case RUN, CHILD -> {
                    if (stdio.length != 3) {
                        throw new ServerProtocol.BadRequest("a request without descriptors 0, 1 and 2");
                    }
                    if (run(connection, request, stdio, body)) {
                        return; // the connection is the program's now; closed when it ends
                    }
                }
            }
        } catch (ServerProtocol.BadRequest | PosixException e) {
            reply(connection, ServerProtocol.ERROR, "bad request: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (int fd : stdio) {
                Io.close(fd);
            }
        }
        Io.close(connection);
    }

    /**
     * Hands the program (or a served program's child) to a worker; false if the command is to
     * run it itself (said on the connection). A child's worker is lent to the program: it gets
     * the worker's pid with a copy of the worker's bootstrap socket, on which it sends the
     * Process as to its own forkserver worker. A child never waits for a booting worker: the
     * program boots one itself at once instead.
     */
    private boolean run(int connection, ServerProtocol.Request request, int[] stdio, byte[] body)
            throws InterruptedException {
        boolean child = request.kind() == ServerProtocol.Kind.CHILD;
        String direct = child ? bootVariablesDiffer(request.env(), System.getenv())
                : whyNotServed(request, System.getenv());
        while (direct == null) {
            ChildProcess worker = workers.take(child ? 0 : TAKE_WAIT_MS);
            if (worker == null) {
                direct = "no worker ready";
                break;
            }
            int[] fds = {connection, stdio[0], stdio[1], stdio[2]};
            if (!worker.send(Bootstrap.programHead(body.length), fds, body)) {
                continue; // it died while idle: the next one
            }
            if (child) {
                int channel = worker.newChannelCopy();
                try {
                    Sockets.sendWithFds(connection, ServerProtocol.reply(ServerProtocol.PID, worker.pid()), new int[] {channel});
                } catch (PosixException e) {
                    worker.signal(polyproc.internal.posix.Signals.SIGKILL); // the program is gone
                } finally {
                    Io.close(channel);
                }
            }
            served.incrementAndGet();
            running.incrementAndGet();
            worker.onExit().whenComplete((status, failure) -> {
                // The worker said its exit status itself; a death by a signal it could not.
                if (status != null && status < 0) {
                    reply(connection, ServerProtocol.KILLED, -status);
                } else if (status != null) {
                    reply(connection, ServerProtocol.EXIT, status);
                }
                Io.close(connection);
                running.decrementAndGet();
                lastCommand = System.nanoTime();
            });
            return true;
        }
        reply(connection, ServerProtocol.DIRECT, direct);
        return false;
    }

    /**
     * Why a worker booted before this command cannot run it as the command would run it, or
     * null: its Context was built without interpreter options, in the server's environment;
     * stdin scripts and the interactive prompt read the
     * command's stdin from the start, and stay with the command.
     */
    static String whyNotServed(ServerProtocol.Request request, Map<String, String> serverEnv) {
        Arguments.Invocation inv;
        try {
            inv = Arguments.parse(request.argv().toArray(String[]::new));
        } catch (Arguments.UsageError e) {
            return "usage";
        } catch (RuntimeException e) {
            return "arguments";
        }
        if (!inv.options().isEmpty()) {
            return "interpreter options";
        }
        if (inv.command() == null && inv.module() == null && (inv.script() == null || inv.script().equals("-"))) {
            return "stdin or interactive";
        }
        return bootVariablesDiffer(request.env(), serverEnv);
    }

    /** Which variable read at boot has another value in {@code env} than in the server's, or null. */
    static String bootVariablesDiffer(List<String> env, Map<String, String> serverEnv) {
        List<String> names = new ArrayList<>(BOOT_VARIABLES);
        env.stream().filter(kv -> kv.startsWith("PYTHON") && kv.contains("=")).map(kv -> kv.substring(0, kv.indexOf('=')))
                .forEach(names::add);
        serverEnv.keySet().stream().filter(name -> name.startsWith("PYTHON")).forEach(names::add);
        for (String name : names) {
            if (!Objects.equals(variable(env, name), serverEnv.get(name))) {
                return name + " differs from the server's";
            }
        }
        return null;
    }

    private static String variable(List<String> env, String name) {
        String prefix = name + "=";
        return env.stream().filter(kv -> kv.startsWith(prefix)).map(kv -> kv.substring(prefix.length()))
                .findFirst().orElse(null);
    }

    private String status() {
        StringBuilder s = new StringBuilder();
        s.append("pid ").append(ProcessHandle.current().pid()).append('\n');
        s.append("uptime ").append((System.currentTimeMillis() - started) / 1000).append(" s\n");
        s.append("socket ").append(socket).append('\n');
        s.append("served ").append(served.get()).append(" (programs and their children), running ").append(running.get()).append('\n');
        List<ChildProcess> idle = workers.idle();
        s.append("idle workers ").append(idle.size()).append(" (kept ").append(workers.target())
                .append(", at most ").append(workers.maxIdle()).append(")\n");
        for (ChildProcess w : idle) {
            s.append("  worker ").append(w.pid()).append(w.hasMessageWaiting() ? " ready" : " booting")
                    .append(workers.isPaused(w) ? ", paused while the machine is busy" : "")
                    .append(", PSS ").append(pssMegabytes(w.pid())).append(" MB\n");
        }
        return s.toString();
    }

    private static long pssMegabytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone meanwhile
        }
        return -1;
    }

    private static void reply(int connection, char letter, Object value) {
        try {
            Io.writeFully(connection, ServerProtocol.reply(letter, value));
        } catch (PosixException e) {
            // the command is gone
        }
    }

    private static void waitReadable(int fd, long deadline) throws ServerProtocol.BadRequest {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0 || (Poll.pollOne(fd, Poll.POLLIN, (int) left) & (Poll.POLLIN | Poll.POLLHUP)) == 0) {
            throw new ServerProtocol.BadRequest("no request within " + REQUEST_TIMEOUT_MS + " ms");
        }
    }

    private static byte[] readExactly(int fd, int n, long deadline) throws ServerProtocol.BadRequest {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            waitReadable(fd, deadline);
            byte[] some = Io.readSome(fd, n - off);
            if (some.length == 0) {
                throw new ServerProtocol.BadRequest("a truncated request");
            }
            System.arraycopy(some, 0, out, off, some.length);
            off += some.length;
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
