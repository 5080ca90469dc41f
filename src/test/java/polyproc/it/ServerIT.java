package polyproc.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import polyproc.it.Polyproc.Server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The polyproc server (bin/polyproc's client, polyproc.server.ServerMain, program workers),
 * through the real launcher: a served program runs as the command would have run it, signals
 * and terminals work, nothing outlives a killed command, a killed server loses no program, and
 * the server is private, one per configuration, and robust against bad clients.
 *
 * <p>Tests that cannot disturb each other share one server ({@link #shared}); the others have a
 * private folder each, removed (server stopped or killed) at the test's end.
 */
class ServerIT {
    private static final Duration READY_LIMIT = Duration.ofSeconds(120);
    private static Path shared;

    /** The shared server, started by a command with a variable of its own (ONLY_SERVER). */
    @BeforeAll
    static void startSharedServer() throws Exception {
        shared = Polyproc.newServerFolder();
        Polyproc.Result r = Polyproc.run(Polyproc.builder(shared, Server.ON, List.of("-c", "pass")), Duration.ofMinutes(2),
                null, Map.of("ONLY_SERVER", "server"));
        assertEquals(0, r.exitCode(), r.toString());
    }

    @AfterAll
    static void stopSharedServer() {
        Polyproc.removeServerFolder(shared);
        assertEquals(List.of(), Polyproc.serverPids(shared), "servers left in " + shared);
    }

    // ---------------------------------------------------------------- helpers

    private static long ppid(String out) {
        return out.lines().filter(l -> l.startsWith("ppid ")).mapToLong(l -> Long.parseLong(l.substring(5).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no ppid line in\n" + out));
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    /**
     * Runs the launcher with args under src/it/python/server_driver.py (python3): on a pty if
     * steps start with --pty; its output ends with "--- status" and "exit N" or "signal N".
     */
    private static Polyproc.Result drive(Path folder, Map<String, String> env, List<String> steps, String... args)
            throws Exception {
        return drive(List.of(), folder, env, steps, args);
    }

    /** As drive, with the launcher run by the command {@code prefix} (which execs it). */
    private static Polyproc.Result drive(List<String> prefix, Path folder, Map<String, String> env, List<String> steps,
                                         String... args) throws Exception {
        assumeTrue(onPath("python3"), "python3 drives terminals and signals");
        List<String> cmd = new ArrayList<>(List.of("python3", Polyproc.script("server_driver.py").toString()));
        cmd.addAll(steps);
        cmd.add("--");
        cmd.addAll(prefix);
        cmd.add(Polyproc.LAUNCHER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(Polyproc.serverEnv(folder));
        return Polyproc.run(pb, Duration.ofMinutes(3), null, env);
    }

    private static String endOf(Polyproc.Result driven) {
        String out = driven.out();
        int at = out.lastIndexOf("--- status\n");
        assertTrue(at >= 0, driven.toString());
        return out.substring(at + "--- status\n".length()).trim();
    }

    private static void awaitGone(long pid, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                throw new AssertionError(what + " (pid " + pid + ") still runs after " + limit.toMillis() + " ms");
            }
            Thread.sleep(20);
        }
    }

    /** The status of folder's server once one answers; null if none does within limit. */
    private static Polyproc.Status awaitStatus(Path folder, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        Polyproc.Status s = Polyproc.status(folder);
        while (s == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = Polyproc.status(folder);
        }
        return s;
    }

    /** The server, its idle workers and its socket are gone (the server within {@code limit}). */
    private static void assertEnded(Path folder, Polyproc.Status server, Duration limit, String what) throws Exception {
        awaitGone(server.pid(), limit, what);
        for (long worker : server.workers()) {
            awaitGone(worker, Duration.ofSeconds(5), "an idle worker of " + what);
        }
        assertEquals(List.of(), sockets(folder));
    }

    /**
     * The stop returned once the server's lock was free, which the JVM lets go as it exits: the
     * process may take a moment more to end (the full suite saw one still exiting).
     */
    private static void assertEndsSoon(long server, Polyproc.Result stop) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (runs(server) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(runs(server), "the server still runs 2 s after --server-stop returned: " + stop);
    }

    /** Whether pid is a process that has not yet exited (a zombie, not yet reaped by init, has). */
    private static boolean runs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> sockets(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".sock")).toList();
        }
    }

    private static Path socketOf(Polyproc.Status s) {
        return s.text().lines().filter(l -> l.startsWith("socket ")).map(l -> Path.of(l.substring(7).trim()))
                .findFirst().orElseThrow();
    }

    // ---------------------------------------------------------------- the program sees its command

    /** server_facts.py, served and by itself, with a umask, nice value and limits of the command's own. */
    private static volatile Polyproc.Result[] facts;

    private static synchronized Polyproc.Result[] facts() throws Exception {
        if (facts == null) {
            Path cwd = Files.createDirectories(shared.resolve("cwd"));
            Polyproc.Result[] both = new Polyproc.Result[2];
            for (Server mode : Server.values()) {
                if (mode == Server.ON) {
                    Polyproc.awaitReadyWorker(shared, READY_LIMIT);
                }
                ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                        "umask 027; ulimit -Sn 512; ulimit -Sq 4096; exec nice -n 5 \"$0\" \"$@\"",
                        Polyproc.LAUNCHER.toString(), Polyproc.script("server_facts.py").toString(), "7", "a  b", "")
                        .directory(cwd.toFile());
                pb.environment().putAll(Polyproc.serverEnv(shared));
                Map<String, String> env = new HashMap<>(mode.env());
                env.put("ONLY_COMMAND", "command");
                env.put("POLYPROC_SERVER_DEBUG", "1");
                both[mode.ordinal()] = Polyproc.run(pb, Duration.ofMinutes(2), null, env);
            }
            facts = both;
        }
        return facts;
    }

    /**
     * sys.argv, __name__, __file__, cwd, umask, nice, a resource limit, sys.executable, the
     * environment a subprocess inherits and the exit code: as the command run by itself.
     */
    @Test
    void servedProgramSeesWhatTheCommandWouldSee() throws Exception {
        Polyproc.Result[] both = facts();
        Polyproc.Result on = both[Server.ON.ordinal()];
        Polyproc.Result off = both[Server.OFF.ordinal()];
        Polyproc.Status status = Polyproc.status(shared);
        assertNotNull(status);
        assertEquals(status.pid(), ppid(on.out()), "served: the worker is the server's child\n" + on);
        assertFalse(on.err().contains(Polyproc.DIRECT_LINE), on.toString());
        Map<String, String> served = new HashMap<>();
        Map<String, String> direct = new HashMap<>();
        on.out().lines().forEach(l -> served.put(l.split(" ", 2)[0], l));
        off.out().lines().forEach(l -> direct.put(l.split(" ", 2)[0], l));
        String real = shared.resolve("cwd").toRealPath().toString();
        assertAll(
                () -> assertEquals(7, on.exitCode(), on.toString()),
                () -> assertEquals(7, off.exitCode(), off.toString()),
                () -> assertEquals("argv ['" + Polyproc.script("server_facts.py") + "', '7', 'a  b', '']", served.get("argv")),
                () -> assertEquals("name __main__ " + Polyproc.script("server_facts.py"), served.get("name")),
                () -> assertEquals("cwd " + real, served.get("cwd")),
                () -> assertEquals("child sees command/unset", served.get("child")),
                () -> assertEquals("umask 0o27", served.get("umask")),
                () -> assertEquals("nice 5", served.get("nice")),
                () -> assertEquals("msgqueue [['4096', '819200']]".replace("819200", hardMsgqueue()), served.get("msgqueue")),
                () -> assertEquals("executable " + Polyproc.LAUNCHER, served.get("executable")),
                () -> {
                    for (String key : List.of("argv", "name", "cwd", "child", "umask", "nice", "msgqueue", "executable", "path0")) {
                        assertEquals(direct.get(key), served.get(key), key + ": served vs POLYPROC_SERVER=0");
                    }
                });
    }

    private static String hardMsgqueue() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max msgqueue size"))
                .map(l -> l.split("\\s+")[4]).findFirst().orElseThrow();
    }

    /**
     * RLIMIT_NOFILE's soft limit is the command's (512) in a served program, as python3 would
     * see it. Run by itself, the JVM raises it to the hard limit (HotSpot's MaxFDLimit), so here
     * the two differ by design of the JVM, not of the server: the served value is checked alone.
     */
    /**
     * A served program's forkserver children are the server's booted workers, lent to it: the
     * child's parent is the server, it has the program's environment and directory, and its
     * exit status and terminate() reach the program as from a child of its own.
     */
    @Test
    void servedProgramsChildrenAreTheServersWorkers(@TempDir Path dir) throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        String program = """
                import multiprocessing as mp, os, sys, time
                def child(q):
                    q.put((os.getppid(), os.environ.get('COMMAND_ONLY'), os.getcwd()))
                    sys.exit(3)
                if __name__ == '__main__':
                    q = mp.Queue()
                    p = mp.Process(target=child, args=(q,))
                    p.start()
                    ppid, var, cwd = q.get(timeout=60)
                    p.join(60)
                    print('child', ppid, var, cwd == os.getcwd(), p.exitcode)
                    s = mp.Process(target=time.sleep, args=(60,))
                    s.start()
                    s.terminate()
                    s.join(60)
                    print('terminated', s.exitcode)
                """;
        Path script = dir.resolve("lend.py");
        Files.writeString(script, program);
        // The first run teaches the server that programs want a second worker.
        Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        Polyproc.run(Polyproc.builder(shared, Server.ON, List.of(script.toString())).directory(cwd.toFile()),
                Duration.ofMinutes(3), null, Map.of());
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        Polyproc.Status s = Polyproc.status(shared);
        while (s.ready().size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(300);
            s = Polyproc.status(shared);
        }
        assertTrue(s.ready().size() >= 3, "three ready workers: " + s.text());
        Polyproc.Result r = Polyproc.run(Polyproc.builder(shared, Server.ON, List.of(script.toString())).directory(cwd.toFile()),
                Duration.ofMinutes(3), null, Map.of("COMMAND_ONLY", "yes", "POLYPROC_SERVER_DEBUG", "1"));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("child " + s.pid() + " yes True 3\nterminated -15\n", r.out(), r.toString());
    }

    @Test
    void servedProgramHasTheCommandsOpenFileLimit() throws Exception {
        Polyproc.Result on = facts()[Server.ON.ordinal()];
        String nofile = on.out().lines().filter(l -> l.startsWith("nofile ")).findFirst().orElse("");
        assertTrue(nofile.startsWith("nofile [['512', "), on.toString());
    }

    /** os.environ is the command's environment, exactly: nothing of the server's, nothing lost. */
    @Test
    void servedProgramHasTheCommandsEnvironment() throws Exception {
        Polyproc.Result[] both = facts();
        String served = both[Server.ON.ordinal()].out().lines().filter(l -> l.startsWith("environ ")).findFirst().orElse("");
        String direct = both[Server.OFF.ordinal()].out().lines().filter(l -> l.startsWith("environ ")).findFirst().orElse("");
        assertTrue(served.contains("('ONLY_COMMAND', 'command')") && !served.contains("ONLY_SERVER"), served);
        assertEquals(direct.replace("), (", "),\n("), served.replace("), (", "),\n("), "os.environ: POLYPROC_SERVER=0 vs served");
    }

    // ---------------------------------------------------------------- terminal and signals

    /** On a terminal: isatty, input() from the terminal, and ^C is a KeyboardInterrupt in the program. */
    @Test
    void terminalInputAndControlC() throws Exception {
        assumeTrue(onPath("python3"), "python3 drives the pseudo-terminal");
        Polyproc.Status status = Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        Polyproc.Result r = drive(shared, Map.of("POLYPROC_SERVER_DEBUG", "1"),
                List.of("--pty", "expect:name? ", "send:alice\\n", "expect:READY", "send:\\x03", "expect:interrupted"),
                "-c", """
                        import os, sys, time
                        print('tty', sys.stdin.isatty(), sys.stdout.isatty(), sys.stderr.isatty())
                        print('ppid', os.getppid())
                        line = input('name? ')
                        print('got', line.upper(), flush=True)
                        try:
                            print('READY', flush=True)
                            time.sleep(60)
                        except KeyboardInterrupt:
                            print('interrupted', flush=True)
                        """);
        String out = r.out().replace("\r\n", "\n");
        assertEquals("exit 0", endOf(r), r.toString());
        assertTrue(out.contains("tty True True True\n"), out);
        assertTrue(out.contains("got ALICE\n"), out);
        assertTrue(out.contains("interrupted\n"), out);
        assertFalse(out.contains(Polyproc.DIRECT_LINE), out);
        assertEquals(status.pid(), ppid(out), out);
    }

    /**
     * SIGUSR1 and SIGHUP sent to the command reach the program's handlers; SIGTERM, which it
     * does not handle, ends the command by that signal (WIFSIGNALED, WTERMSIG 15: os.waitpid).
     */
    @Test
    void signalsReachTheProgramAndTermKillsTheCommand() throws Exception {
        Polyproc.Status status = Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        Polyproc.Result r = drive(shared, Map.of("POLYPROC_SERVER_DEBUG", "1"),
                List.of("expect:READY", "kill:SIGUSR1", "expect:handled SIGUSR1", "kill:SIGHUP", "expect:handled SIGHUP",
                        "kill:SIGTERM"),
                "-c", """
                        import os, signal, time
                        def handler(sig, frame):
                            print('handled', signal.Signals(sig).name, flush=True)
                        signal.signal(signal.SIGUSR1, handler)
                        signal.signal(signal.SIGHUP, handler)
                        print('ppid', os.getppid())
                        print('READY', flush=True)
                        while True:
                            time.sleep(0.05)
                        """);
        assertEquals("signal 15", endOf(r), r.toString());
        assertTrue(r.out().contains("handled SIGUSR1\nhandled SIGHUP\n"), r.toString());
        assertFalse(r.out().contains(Polyproc.DIRECT_LINE), r.toString());
        assertEquals(status.pid(), ppid(r.out()), r.toString());
    }

    /**
     * A command started ignoring SIGHUP and SIGINT (nohup; a background job of a script): the
     * program starts with both ignored and survives them, then handles each once it installs a
     * handler, as under python3; served and direct alike.
     */
    @ParameterizedTest
    @EnumSource(Server.class)
    void signalsTheCommandIgnoresStayIgnoredUntilTheProgramHandlesThem(Server mode) throws Exception {
        assumeTrue(onPath("env"), "env --ignore-signal starts the command ignoring signals");
        if (mode == Server.ON) {
            Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        }
        Map<String, String> env = new HashMap<>(mode.env());
        env.put("POLYPROC_SERVER_DEBUG", "1");
        // Ignored signals are dropped when sent, so a SIGUSR1 sent after them comes after them.
        Polyproc.Result r = drive(List.of("env", "--ignore-signal=HUP,INT"), shared, env,
                List.of("expect:READY", "kill:SIGHUP", "kill:SIGINT", "kill:SIGUSR1", "expect:HANDLING",
                        "kill:SIGHUP", "expect:handled SIGHUP", "kill:SIGINT", "expect:handled SIGINT", "kill:SIGTERM"),
                "-c", """
                        import signal, time
                        def handler(sig, frame):
                            print('handled', signal.Signals(sig).name, flush=True)
                        def handle_them(sig, frame):
                            print('previous ignored', signal.signal(signal.SIGHUP, handler) == signal.SIG_IGN,
                                  signal.signal(signal.SIGINT, handler) == signal.SIG_IGN)
                            print('HANDLING', flush=True)
                        print('ignored', signal.getsignal(signal.SIGHUP) == signal.SIG_IGN,
                              signal.getsignal(signal.SIGINT) == signal.SIG_IGN)
                        signal.signal(signal.SIGUSR1, handle_them)
                        print('READY', flush=True)
                        while True:
                            time.sleep(0.05)
                        """);
        assertEquals("signal 15", endOf(r), r.toString());
        assertTrue(r.out().startsWith("ignored True True\nREADY\nprevious ignored True True\nHANDLING\n"
                + "handled SIGHUP\nhandled SIGINT\n"), r.toString());
        assertFalse(r.out().contains(Polyproc.DIRECT_LINE), r.toString());
    }

    // ---------------------------------------------------------------- nothing outlives a command

    /**
     * The command SIGKILLed: its program (in a worker) and the program's child are gone within
     * 2 s, and the resource tracker removes its shared memory, lock and temporary folder.
     */
    @Test
    void killedCommandLeavesNoProcessOrResource(@TempDir Path tmp) throws Exception {
        Polyproc.Status status = Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        ProcessBuilder pb = Polyproc.builder(shared, Server.ON, List.of(Polyproc.script("server_orphans.py").toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TMPDIR", tmp.toString());
        Process command = pb.start();
        List<Long> pids = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        long ppid = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(command.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean ready = false;
            while ((!ready || pids.size() < 2) && (line = out.readLine()) != null) {
                lines.add(line);
                String[] w = line.split(" ", 2);
                switch (w[0]) {
                    case "READY" -> ready = true;
                    case "pid", "child" -> pids.add(Long.parseLong(w[1]));
                    case "ppid" -> ppid = Long.parseLong(w[1]);
                    case "path", "tmp" -> paths.add(Path.of(w[1]));
                    default -> { }
                }
            }
            assertEquals(2, pids.size(), "program and child pids: " + lines);
            assertEquals(status.pid(), ppid, "served: " + lines);
            assertEquals(3, paths.size(), lines.toString());
            assertTrue(paths.get(2).startsWith(tmp), "multiprocessing's folder is in the command's TMPDIR: " + lines);
            for (Path path : paths) {
                assertTrue(Files.exists(path), path + " exists while the program runs");
            }
            command.destroyForcibly();
            assertTrue(command.waitFor(10, TimeUnit.SECONDS));
            for (long pid : pids) {
                awaitGone(pid, Duration.ofSeconds(2), "a process of the killed command");
            }
        } finally {
            command.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Path path : paths) {
            while (Files.exists(path)) {
                assertTrue(System.nanoTime() < deadline, path + " outlived the killed command");
                Thread.sleep(50);
            }
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "left in the command's TMPDIR");
        }
    }

    // ---------------------------------------------------------------- a killed server

    /**
     * The server SIGKILLed while a program runs: the program goes on and the command gets its
     * exit status; the next command starts a new server on the stale socket's path, and the
     * old server's idle workers are gone.
     */
    @Test
    void killedServerLosesNoProgramAndIsReplaced(@TempDir Path dir) throws Exception {
        Path folder = Polyproc.newServerFolder();
        org.junit.jupiter.api.function.Executable programSurvived = null;
        try {
            Polyproc.Status before = Polyproc.awaitReadyWorker(folder, READY_LIMIT);
            Path go = dir.resolve("go");
            Process command = Polyproc.builder(folder, Server.ON, List.of("-c", """
                    import os, sys, time
                    print('ppid', os.getppid())
                    print('pid', os.getpid())
                    print('READY', flush=True)
                    while not os.path.exists(sys.argv[1]):
                        time.sleep(0.02)
                    print('done', flush=True)
                    sys.exit(7)
                    """, go.toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(command.getInputStream(), StandardCharsets.UTF_8))) {
                assertEquals("ppid " + before.pid(), out.readLine(), "served");
                long program = Long.parseLong(out.readLine().substring(4));
                assertEquals("READY", out.readLine());
                // A replacement worker boots meanwhile (the machine is idle): it is to die with the server.
                Polyproc.Status idle = Polyproc.status(folder);
                long deadline = System.nanoTime() + READY_LIMIT.toNanos();
                while (idle.workers().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    idle = Polyproc.status(folder);
                }
                assertFalse(idle.workers().isEmpty(), "no idle worker to watch: " + idle.text());
                assertFalse(idle.workers().contains(program), idle.text());
                ProcessHandle.of(before.pid()).orElseThrow().destroyForcibly();
                awaitGone(before.pid(), Duration.ofSeconds(5), "the killed server");
                Files.writeString(go, "");
                String done = out.readLine();
                assertTrue(command.waitFor(30, TimeUnit.SECONDS));
                int exit = command.exitValue();
                awaitGone(program, Duration.ofSeconds(5), "the program's worker");
                for (long worker : idle.workers()) {
                    awaitGone(worker, Duration.ofSeconds(5), "an idle worker of the killed server");
                }
                // Checked after the rest (the replacement server below) so that both are reported.
                programSurvived = () -> {
                    assertEquals("done", done, "the program's output after the server was killed");
                    assertEquals(7, exit, "the command's exit status");
                };
            } finally {
                command.destroyForcibly();
            }
            assertEquals(1, sockets(folder).size(), "the dead server's socket is still there (stale)");
            Polyproc.Result next = Polyproc.run(Polyproc.builder(folder, Server.ON, List.of("-c", "print('next')")),
                    Duration.ofMinutes(2), null, Map.of());
            assertEquals("next\n", next.out(), next.toString());
            Polyproc.Status after = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (after == null && System.nanoTime() < deadline) {
                Thread.sleep(200);
                after = Polyproc.status(folder);
            }
            assertNotNull(after, "a new server answers" + Polyproc.log(folder));
            assertNotEquals(before.pid(), after.pid());
            assertAll("the program after its server was killed", programSurvived);
        } finally {
            Polyproc.removeServerFolder(folder);
        }
    }

    /**
     * A boot under way is paused (SIGSTOP) while a program keeps a core busy, continued when the
     * cores are free, paused again; SIGKILLed then, the server takes the paused worker along (its
     * parent-death signal, SIGCONT, lets it see the server gone), and the program goes on.
     */
    @Test
    void bootPausesWhileAProgramKeepsTheCoresBusy(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "a boot is paused only with a parent-death signal");
        Path folder = Polyproc.newServerFolder();
        try {
            Polyproc.Status before = Polyproc.awaitReadyWorker(folder, READY_LIMIT);
            Path spin = dir.resolve("spin");
            Path end = dir.resolve("end");
            Process command = Polyproc.builder(folder, Server.ON, List.of("-c", """
                    import os, sys, time
                    spin, end = sys.argv[1:]
                    print('READY', flush=True)
                    while not os.path.exists(end):
                        if os.path.exists(spin):
                            for _ in range(100000):
                                pass
                        else:
                            time.sleep(0.02)
                    sys.exit(7)
                    """, spin.toString(), end.toString())).redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(command.getInputStream(), StandardCharsets.UTF_8))) {
                assertEquals("READY", out.readLine());
                // The program sleeps: the machine is idle, and a replacement boots.
                Polyproc.Status s = awaitStatus(folder, Duration.ofSeconds(60), "a booting worker",
                        st -> st.workers().size() > st.ready().size());
                long booting = s.workers().stream().filter(w -> !s.ready().contains(w)).findFirst().orElseThrow();
                Files.writeString(spin, "");
                awaitStatus(folder, Duration.ofSeconds(15), "worker " + booting + " paused", st -> st.paused().contains(booting));
                assertEquals('T', processState(booting), "the paused worker is stopped");
                Files.delete(spin);
                // Continued once the machine is idle: another server's boot (the shared one's) may end first.
                awaitStatus(folder, READY_LIMIT, "worker " + booting + " continued", st -> !st.paused().contains(booting));
                assertNotEquals('T', processState(booting), "the continued worker runs");
                Files.writeString(spin, "");
                awaitStatus(folder, Duration.ofSeconds(15), "worker " + booting + " paused again", st -> st.paused().contains(booting));
                ProcessHandle.of(before.pid()).orElseThrow().destroyForcibly();
                awaitGone(before.pid(), Duration.ofSeconds(5), "the killed server");
                awaitGone(booting, Duration.ofSeconds(5), "the worker paused by the killed server");
                Files.writeString(end, "");
                assertTrue(command.waitFor(30, TimeUnit.SECONDS));
                assertEquals(7, command.exitValue(), "the program went on after its server was killed");
            } finally {
                command.destroyForcibly();
            }
        } finally {
            Polyproc.removeServerFolder(folder);
        }
    }

    private static Polyproc.Status awaitStatus(Path folder, Duration limit, String what,
                                               java.util.function.Predicate<Polyproc.Status> until) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        Polyproc.Status s = Polyproc.status(folder);
        while (s == null || !until.test(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + limit.toSeconds() + " s: "
                        + (s == null ? "no server" : s.text()));
            }
            Thread.sleep(200);
            s = Polyproc.status(folder);
        }
        return s;
    }

    /** The state letter of /proc/PID/stat (R, S, T, ...), or '?' once it is gone. */
    private static char processState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '?';
        }
    }

    // ---------------------------------------------------------------- one server per key

    /**
     * Two first commands at once, no server yet: one server stays (the lock), the other exits;
     * SIGTERM then ends that one cleanly.
     */
    @Test
    void twoFirstCommandsStartOneServer() throws Exception {
        Path folder = Polyproc.newServerFolder();
        try {
            List<Process> commands = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                commands.add(Polyproc.builder(folder, Server.ON, List.of("-c", "print('ran')"))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            for (Process p : commands) {
                assertEquals("ran\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                assertTrue(p.waitFor(2, TimeUnit.MINUTES));
                assertEquals(0, p.exitValue());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((Polyproc.serverPids(folder).size() != 1 || Polyproc.status(folder) == null)
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(1000); // a second server still booting would show up now
            assertEquals(1, Polyproc.serverPids(folder).size(), "servers of " + folder + Polyproc.log(folder));
            Polyproc.Status s = Polyproc.status(folder);
            assertEquals(Polyproc.serverPids(folder).get(0), s.pid());
            // SIGTERM ends it as its idle timeout does: socket removed, idle workers ended.
            ProcessHandle.of(s.pid()).orElseThrow().destroy();
            assertEnded(folder, s, Duration.ofSeconds(10), "the server sent SIGTERM");
        } finally {
            Polyproc.removeServerFolder(folder);
        }
    }

    /**
     * --server-stop ends the server before it returns, one still starting too (the first
     * command has ended and the server's JVM boots): nothing serves or appears afterwards.
     */
    @Test
    void stopEndsAServerThatIsStillStarting() throws Exception {
        Path folder = Polyproc.newServerFolder();
        try {
            assertEquals(0, Polyproc.run(Polyproc.builder(folder, Server.ON, List.of("-c", "pass")),
                    Duration.ofMinutes(2), null, Map.of()).exitCode());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Polyproc.serverPids(folder).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<Long> starting = Polyproc.serverPids(folder);
            assertEquals(1, starting.size(), "the first command started no server" + Polyproc.log(folder));
            Polyproc.Result stop = Polyproc.run(Polyproc.builder(folder, Server.ON, List.of("--server-stop")),
                    Duration.ofSeconds(30), null, Map.of());
            assertEquals(0, stop.exitCode(), stop.toString());
            assertTrue(stop.out().startsWith("stopped the polyproc server"), stop.toString());
            assertEndsSoon(starting.get(0), stop);
            Thread.sleep(2000);
            assertEquals(List.of(), Polyproc.serverPids(folder), "a server appeared after the stop");
            assertEquals(List.of(), sockets(folder));

            // A server that runs: ended by the time --server-stop returns, its idle workers with it.
            assertEquals(0, Polyproc.run(Polyproc.builder(folder, Server.ON, List.of("-c", "pass")),
                    Duration.ofMinutes(2), null, Map.of()).exitCode());
            Polyproc.Status running = awaitStatus(folder, Duration.ofSeconds(30));
            assertNotNull(running, "no server answers" + Polyproc.log(folder));
            stop = Polyproc.run(Polyproc.builder(folder, Server.ON, List.of("--server-stop")),
                    Duration.ofSeconds(30), null, Map.of());
            assertTrue(stop.out().startsWith("stopped the polyproc server ("), stop.toString());
            assertEndsSoon(running.pid(), stop);
            assertEnded(folder, running, Duration.ofSeconds(5), "the stopped server");
        } finally {
            Polyproc.removeServerFolder(folder);
        }
    }

    /**
     * A rebuilt polyproc (another build-id) is not served by the old server: a second server
     * starts for the new key, beside the old one, which still runs and answers.
     */
    @Test
    void rebuiltPolyprocGetsItsOwnServer() throws Exception {
        Polyproc.Status old = Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        Path buildId = Polyproc.LAUNCHER.getParent().getParent().resolve("build-id");
        String original = Files.readString(buildId);
        try {
            Files.writeString(buildId, "a-rebuilt-polyproc-" + System.nanoTime() + "\n");
            Polyproc.Result r = Polyproc.run(Polyproc.builder(shared, Server.ON, List.of("-c", "import os; print(os.getppid())")),
                    Duration.ofMinutes(2), null, Map.of("POLYPROC_SERVER_DEBUG", "1"));
            assertEquals(0, r.exitCode(), r.toString());
            assertNotEquals(old.pid() + "\n", r.out(), "the old server ran a rebuilt polyproc's program");
            Polyproc.Status fresh = awaitStatus(shared, Duration.ofSeconds(60));
            assertNotNull(fresh, "the rebuilt polyproc's server answers" + Polyproc.log(shared));
            assertNotEquals(old.pid(), fresh.pid());
            assertNotEquals(socketOf(old), socketOf(fresh));
            assertEquals(2, sockets(shared).size(), sockets(shared).toString());
            Polyproc.run(Polyproc.builder(shared, Server.ON, List.of("--server-stop")), Duration.ofSeconds(30), null, Map.of());
            awaitGone(fresh.pid(), Duration.ofSeconds(10), "the rebuilt polyproc's server");
        } finally {
            Files.writeString(buildId, original);
        }
        Polyproc.Status again = Polyproc.status(shared);
        assertNotNull(again, "the old server still answers");
        assertEquals(old.pid(), again.pid());
    }

    // ---------------------------------------------------------------- privacy and robustness

    /** A server folder open to others is not used: the command runs by itself, no socket is made. */
    @Test
    void folderOpenToOthersIsRefused() throws Exception {
        Path folder = Polyproc.newServerFolder();
        try {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
            Polyproc.Result r = Polyproc.run(Polyproc.builder(folder, Server.ON, List.of("-c", "print('ran')")),
                    Duration.ofMinutes(2), null, Map.of());
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("ran\n", r.out(), r.toString());
            assertTrue(r.err().contains("polyproc: not using the server: " + folder), r.toString());
            assertEquals(List.of(), sockets(folder));
            assertEquals(List.of(), Polyproc.serverPids(folder));
        } finally {
            Polyproc.removeServerFolder(folder);
        }
    }

    /**
     * Another user cannot use the server: as nobody, connecting fails at the folder (0700);
     * as nobody allowed past file permissions (CAP_DAC_OVERRIDE), the server refuses the peer
     * (SO_PEERCRED) and serves its own user on.
     */
    @Test
    void anotherUserCannotUseTheServer() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root"), "needs root to become nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs setpriv and /usr/bin/python3");
        Polyproc.Status status = Polyproc.status(shared);
        if (status == null) {
            status = Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        }
        Path socket = socketOf(status);
        String connect = """
                import socket, struct, sys
                s = socket.socket(socket.AF_UNIX)
                try:
                    s.connect(sys.argv[1])
                except OSError as e:
                    print('connect failed', e.errno)
                    sys.exit()
                print('answer', repr(s.recv(4096).decode()))  # refused before any request
                """;
        List<String> nobody = List.of("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");
        List<String> past = List.of("--inh-caps=+dac_override", "--ambient-caps=+dac_override");
        List<String> plain = new ArrayList<>(nobody);
        plain.addAll(List.of("/usr/bin/python3", "-c", connect, socket.toString()));
        Polyproc.Result r1 = Polyproc.run(new ProcessBuilder(plain), Duration.ofSeconds(30), null, Map.of());
        assertEquals("connect failed 13\n", r1.out(), r1.toString());
        List<String> privileged = new ArrayList<>(nobody);
        privileged.addAll(past);
        privileged.addAll(List.of("/usr/bin/python3", "-c", connect, socket.toString()));
        Polyproc.Result r2 = Polyproc.run(new ProcessBuilder(privileged), Duration.ofSeconds(30), null, Map.of());
        assertTrue(r2.out().startsWith("answer 'E refused"), r2.toString());
        Polyproc.Status after = Polyproc.status(shared);
        assertNotNull(after);
        assertEquals(status.pid(), after.pid());
    }

    private static String exchange(Path socket, byte[] send, boolean keepOpenToRead) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            if (send.length > 0) {
                ch.write(ByteBuffer.wrap(send));
            }
            if (!keepOpenToRead) {
                return "";
            }
            ch.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(4096);
            try {
                while (ch.read(in) >= 0 && in.hasRemaining()) {
                    // until the server closes
                }
            } catch (IOException e) {
                // The server closed with bytes of ours unread: the kernel resets the connection.
                return "<" + e.getMessage() + ">";
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    /** Garbage, a truncated request, an unknown kind, a program without descriptors, nothing: refused, never fatal. */
    @Test
    void badAndTruncatedRequestsDoNotHurtTheServer() throws Exception {
        Polyproc.Status status = Polyproc.status(shared);
        if (status == null) {
            status = Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        }
        Path socket = socketOf(status);
        ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(100);
        ByteBuffer kind9 = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putInt(8).putInt(0x50505131).putInt(9);
        ByteBuffer run = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putInt(8).putInt(0x50505131).putInt(0);
        ByteBuffer magic = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putInt(8).putInt(0x12345678).putInt(1);
        String garbage = exchange(socket, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), true);
        String truncated = exchange(socket, head.array(), true);
        String unknown = exchange(socket, kind9.array(), true);
        String noFds = exchange(socket, run.array(), true);
        String wrongMagic = exchange(socket, magic.array(), true);
        String nothing = exchange(socket, new byte[0], true);
        exchange(socket, head.array(), false); // and gone
        exchange(socket, new byte[0], false);
        assertAll(
                // It reads a 4-byte length, refuses it, and closes on the rest: a reset may come first.
                () -> assertTrue(garbage.startsWith("E bad request: ") || garbage.equals("<Connection reset>"), garbage),
                () -> assertTrue(truncated.startsWith("E bad request: "), truncated),
                () -> assertTrue(unknown.startsWith("E bad request: "), unknown),
                () -> assertTrue(noFds.startsWith("E bad request: "), noFds),
                () -> assertTrue(wrongMagic.startsWith("E bad request: "), wrongMagic),
                () -> assertTrue(nothing.isEmpty() || nothing.startsWith("E bad request: "), nothing));
        Polyproc.Status after = Polyproc.status(shared);
        assertNotNull(after, "the server still answers");
        assertEquals(status.pid(), after.pid());
    }

    /** An idle worker killed (SIGKILL) is replaced by a new one. */
    @Test
    void killedIdleWorkerIsReplaced() throws Exception {
        Polyproc.Status status = Polyproc.awaitReadyWorker(shared, READY_LIMIT);
        long victim = status.ready().get(0);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        awaitGone(victim, Duration.ofSeconds(5), "the killed worker");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Polyproc.Status now = status;
        while (System.nanoTime() < deadline) {
            now = Polyproc.status(shared);
            if (now != null && !now.ready().isEmpty() && !now.ready().contains(victim)) {
                break;
            }
            Thread.sleep(200);
        }
        assertNotNull(now);
        assertFalse(now.ready().isEmpty() || now.ready().contains(victim), "no new ready worker: " + now.text());
        assertEquals(status.pid(), now.pid());
    }

    /** POLYPROC_SERVER_IDLE_TIMEOUT: a server without commands ends, removes its socket, and takes its idle workers along. */
    @Test
    void idleServerEndsAfterItsTimeout() throws Exception {
        Path folder = Polyproc.newServerFolder();
        try {
            ProcessBuilder pb = Polyproc.builder(folder, Server.ON, List.of("-c", "pass"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("POLYPROC_SERVER_IDLE_TIMEOUT", "3");
            Process first = pb.start();
            // Each status request counts as a command: asked every 0.2 s from the start, the server
            // stays until a worker is there (booting is enough); then it is left alone.
            Polyproc.Status s = null;
            long deadline = System.nanoTime() + READY_LIMIT.toNanos();
            while ((s == null || s.workers().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                s = Polyproc.status(folder);
            }
            assertTrue(first.waitFor(2, TimeUnit.MINUTES));
            assertEquals(0, first.exitValue());
            assertNotNull(s, "no server started" + Polyproc.log(folder));
            assertFalse(s.workers().isEmpty(), s.text());
            assertEnded(folder, s, Duration.ofSeconds(20), "a server idle for longer than its timeout");
        } finally {
            Polyproc.removeServerFolder(folder);
        }
    }

    /** POLYPROC_SERVER=0: no server, no socket. */
    @Test
    void serverOffStartsNoServer() throws Exception {
        Path folder = Polyproc.newServerFolder();
        try {
            Polyproc.Result r = Polyproc.run(Polyproc.builder(folder, Server.OFF, List.of("-c", "print('ran')")),
                    Duration.ofMinutes(2), null, Map.of());
            assertEquals("ran\n", r.out(), r.toString());
            assertEquals(List.of(), sockets(folder));
            assertEquals(List.of(), Polyproc.serverPids(folder));
            assertNull(Polyproc.status(folder));
        } finally {
            Polyproc.removeServerFolder(folder);
        }
    }
}
