package polyproc.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import polyproc.it.Polyproc.Server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/polyproc runs Python the way python3 does: each test runs with the polyproc server (the
 * program runs in a booted worker) and without it (POLYPROC_SERVER=0), and expects the same.
 */
class CliIT {
    /** How a command is to run with the server ON: in a worker, or by itself for the reason given. */
    private record Expect(String directReason) {
        static final Expect SERVED = new Expect(null);

        static Expect direct(String reason) {
            return new Expect(reason);
        }
    }

    private static Polyproc.Result run(Server mode, String... args) throws Exception {
        return run(mode, Expect.SERVED, null, Map.of(), args);
    }

    /**
     * Runs the launcher; with the server ON, first waits for the shared server's ready worker,
     * and checks from the client's POLYPROC_SERVER_DEBUG line that the command was served, or
     * ran by itself for the expected reason (that line is then left out of the result's stderr).
     */
    private static Polyproc.Result run(Server mode, Expect expect, String stdin, Map<String, String> env, String... args)
            throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(mode.env());
        if (mode == Server.OFF) {
            return Polyproc.run(stdin, all, args);
        }
        Polyproc.awaitReadyWorker(Polyproc.serverFolder(), Duration.ofSeconds(120));
        all.put("POLYPROC_SERVER_DEBUG", "1");
        Polyproc.Result r = Polyproc.run(stdin, all, args);
        return checkServed(r, expect);
    }

    private static Polyproc.Result checkServed(Polyproc.Result r, Expect expect) {
        List<String> direct = r.err().lines().filter(l -> l.startsWith(Polyproc.DIRECT_LINE)).toList();
        if (expect.directReason() == null) {
            assertEquals(List.of(), direct, "the command was to be served: " + r);
            return r;
        }
        assertEquals(List.of(Polyproc.DIRECT_LINE + expect.directReason()), direct, r.toString());
        String err = r.err().lines().filter(l -> !l.startsWith(Polyproc.DIRECT_LINE))
                .map(l -> l + "\n").collect(Collectors.joining());
        return new Polyproc.Result(r.exitCode(), r.out(), err);
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void scriptGetsArgvMainNameAndExitStatus(Server mode, @TempDir Path dir) throws Exception {
        Path script = dir.resolve("s.py");
        Files.writeString(script, """
                import sys
                print(__name__, sys.argv[1:], sys.path[0] == '%s')
                print('JIT' if 'Interpreted' not in sys.version else 'INTERPRETED')
                sys.exit(int(sys.argv[1]))
                """.formatted(dir.toRealPath().toString()));
        Polyproc.Result r = run(mode, script.toString(), "3", "x y");
        assertEquals(3, r.exitCode(), r.toString());
        assertEquals("__main__ ['3', 'x y'] True\nJIT\n", r.out(), r.toString());
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void uncaughtExceptionExitsOneWithTraceback(Server mode) throws Exception {
        Polyproc.Result r = run(mode, "-c", "import sys\nsys.stdout.write('before\\n')\nraise KeyError('k')");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("before\n", r.out());
        assertTrue(r.err().contains("Traceback (most recent call last):") && r.err().contains("KeyError: 'k'"),
                r.toString());
    }

    /**
     * The end of a program, as python3's: non-daemon threads joined, then atexit handlers (one
     * calling sys.exit() is ignored, the exit code stays), and a daemon thread blocked in recv()
     * neither fails nor holds the exit (GraalPy's Context.close() made it rc 1 after ~11 s, and
     * its connection finalizers closed the descriptor under the thread: a traceback).
     */
    @ParameterizedTest
    @EnumSource(Server.class)
    void exitJoinsThreadsRunsAtexitAndLeavesDaemonThreads(Server mode) throws Exception {
        Polyproc.Result r = run(mode, "-c", """
                import atexit, sys, threading, time
                import multiprocessing as mp
                reader, writer = mp.Pipe()
                threading.Thread(target=reader.recv, daemon=True).start()
                def late():
                    time.sleep(0.5)
                    print('thread done', flush=True)
                threading.Thread(target=late).start()
                atexit.register(print, 'atexit ran')
                atexit.register(sys.exit, 5)
                print('main done', flush=True)
                sys.exit(3)
                """);
        assertEquals(3, r.exitCode(), r.toString());
        assertEquals("main done\nthread done\natexit ran\n", r.out(), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    /**
     * The launcher runs every JVM with the serial collector (its memory, docs/performance.md); a
     * collector named in POLYPROC_JAVA_OPTIONS or, for children, POLYPROC_CHILD_JAVA_OPTIONS
     * replaces it rather than failing the JVM's start with two collectors. Without the server
     * (other JVM options would start a server of their own).
     */
    @Test
    void collectorIsSerialUnlessAnotherIsNamed(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("gc.py");
        Files.writeString(script, """
                import java, multiprocessing as mp
                def gc():
                    return str(java.type('java.lang.management.ManagementFactory').getGarbageCollectorMXBeans()[0].getName())
                def child(q):
                    q.put(gc())
                if __name__ == '__main__':
                    ctx = mp.get_context('spawn')
                    q = ctx.Queue()
                    p = ctx.Process(target=child, args=(q,))
                    p.start()
                    print(gc(), '/', q.get())
                    p.join()
                """);
        Map<String, String> off = Server.OFF.env();
        assertEquals("Copy / Copy", Polyproc.run(null, off, script.toString()).out().trim());
        Map<String, String> g1Children = new HashMap<>(off);
        g1Children.put("POLYPROC_CHILD_JAVA_OPTIONS", "-XX:+UseG1GC");
        assertEquals("Copy / G1 Young Generation", Polyproc.run(null, g1Children, script.toString()).out().trim());
        Map<String, String> g1 = new HashMap<>(off);
        g1.put("POLYPROC_JAVA_OPTIONS", "-XX:+UseG1GC");
        Polyproc.Result r = Polyproc.run(null, g1, "-c", "import java; print(java.type("
                + "'java.lang.management.ManagementFactory').getGarbageCollectorMXBeans()[0].getName())");
        assertEquals("G1 Young Generation", r.out().trim(), r.toString());
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    /** A PYTHON* variable the server's workers did not boot with, or -E: the command runs by itself. */
    void dontWriteBytecodeFromTheEnvironment(Server mode) throws Exception {
        String code = "import sys; print(sys.flags.dont_write_bytecode)";
        // Not the value the server was started with (the tests' own environment may set it to 1).
        Map<String, String> env = Map.of("PYTHONDONTWRITEBYTECODE", "1".equals(System.getenv("PYTHONDONTWRITEBYTECODE")) ? "11" : "1");
        assertEquals("1", run(mode, Expect.direct("PYTHONDONTWRITEBYTECODE differs from the server's"), "", env,
                "-c", code).out().trim());
        assertEquals("0", run(mode, Expect.direct("interpreter options"), "", env, "-E", "-c", code).out().trim());
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void missingScriptExitsTwo(Server mode) throws Exception {
        Polyproc.Result r = run(mode, "/nonexistent/script.py");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("can't open file '/nonexistent/script.py': [Errno 2] No such file or directory"),
                r.toString());
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    /** The server leaves these to the command: it answers them without a program. */
    void versionHelpAndBadOption(Server mode) throws Exception {
        Expect usage = Expect.direct("usage");
        Polyproc.Result v = run(mode, usage, null, Map.of(), "--version");
        assertEquals(0, v.exitCode());
        assertTrue(v.out().contains("3.12.8"), v.toString());
        Polyproc.Result h = run(mode, usage, null, Map.of(), "-h");
        assertEquals(0, h.exitCode());
        assertTrue(h.out().startsWith("usage: polyproc"), h.toString());
        Polyproc.Result bad = run(mode, usage, null, Map.of(), "-Z");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("Unknown option: -Z"), bad.toString());
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void moduleStdinAndSysExecutable(Server mode) throws Exception {
        // -m runs a module as __main__; sys.executable is a command that runs Python the same way.
        Polyproc.Result m = run(mode, Expect.SERVED, "print('stdin', __name__)\n", Map.of(), "-m", "json.tool", "--help");
        assertEquals(0, m.exitCode(), m.toString());
        assertTrue(m.out().contains("usage:") && m.out().contains("json.tool"), m.toString());
        // A script on stdin reads the command's stdin from the start: never served.
        Polyproc.Result s = run(mode, Expect.direct("stdin or interactive"), "import subprocess, sys\n"
                + "assert sys.executable.endswith('polyproc'), sys.executable\n"
                + "r = subprocess.run([sys.executable, '-c', 'import sys; print(sys.argv)', 'a'], capture_output=True, text=True)\n"
                + "print(r.returncode, r.stdout.strip())\n", Map.of(), "-");
        assertEquals(0, s.exitCode(), s.toString());
        assertEquals("0 ['-c', 'a']\n", s.out(), s.toString());
        assertFalse(s.err().contains("WARNING"), s.toString());
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    /** Unpacked elsewhere, the distribution runs too; with the server ON, its own server (another key) serves it. */
    void distributionArchiveRunsFromAnyFolder(Server mode, @TempDir Path dir) throws Exception {
        Path archive;
        try (var files = Files.list(Path.of("target"))) {
            archive = files.filter(f -> f.getFileName().toString().matches("polyproc-.*\\.tar\\.gz"))
                    .findFirst().orElseThrow();
        }
        Process tar = new ProcessBuilder("tar", "xzf", archive.toAbsolutePath().toString()).directory(dir.toFile())
                .inheritIO().start();
        assertEquals(0, tar.waitFor());
        Path launcher;
        try (var found = Files.find(dir, 3, (f, a) -> f.endsWith(Path.of("bin", "polyproc")))) {
            launcher = found.findFirst().orElseThrow();
        }
        Path folder = Polyproc.serverFolder();
        try {
            if (mode == Server.ON) {
                Polyproc.awaitReadyWorker(launcher, folder, Duration.ofSeconds(120));
            }
            ProcessBuilder pb = Polyproc.builder(launcher, folder, mode, List.of("-c", "import sys; print(sys.executable)"));
            pb.environment().put("POLYPROC_SERVER_DEBUG", "1");
            Polyproc.Result r = Polyproc.run(pb.directory(Path.of("/").toFile()), Duration.ofMinutes(2), null, Map.of());
            if (mode == Server.ON) {
                checkServed(r, Expect.SERVED);
            }
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(launcher.toString() + "\n", r.out(), r.toString());
            assertEquals("", r.err(), r.toString());
        } finally {
            if (mode == Server.ON) {
                // Its server runs from dir, which JUnit deletes next.
                Polyproc.run(Polyproc.builder(launcher, folder, mode, List.of("--server-stop")), Duration.ofSeconds(30),
                        null, Map.of());
            }
        }
    }
}
