package polyproc.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/polyproc runs Python the way python3 does. */
class CliIT {
    @Test
    void scriptGetsArgvMainNameAndExitStatus(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("s.py");
        Files.writeString(script, """
                import sys
                print(__name__, sys.argv[1:], sys.path[0] == '%s')
                print('JIT' if 'Interpreted' not in sys.version else 'INTERPRETED')
                sys.exit(int(sys.argv[1]))
                """.formatted(dir.toRealPath().toString()));
        Polyproc.Result r = Polyproc.run(script.toString(), "3", "x y");
        assertEquals(3, r.exitCode(), r.toString());
        assertEquals("__main__ ['3', 'x y'] True\nJIT\n", r.out(), r.toString());
    }

    @Test
    void uncaughtExceptionExitsOneWithTraceback() throws Exception {
        Polyproc.Result r = Polyproc.run("-c", "import sys\nsys.stdout.write('before\\n')\nraise KeyError('k')");
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
    @Test
    void exitJoinsThreadsRunsAtexitAndLeavesDaemonThreads() throws Exception {
        Polyproc.Result r = Polyproc.run("-c", """
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

    @Test
    void dontWriteBytecodeFromTheEnvironment() throws Exception {
        String code = "import sys; print(sys.flags.dont_write_bytecode)";
        Map<String, String> env = Map.of("PYTHONDONTWRITEBYTECODE", "1");
        assertEquals("1", Polyproc.run("", env, "-c", code).out().trim());
        assertEquals("0", Polyproc.run("", env, "-E", "-c", code).out().trim());
    }

    @Test
    void missingScriptExitsTwo() throws Exception {
        Polyproc.Result r = Polyproc.run("/nonexistent/script.py");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("can't open file '/nonexistent/script.py': [Errno 2] No such file or directory"),
                r.toString());
    }

    @Test
    void versionHelpAndBadOption() throws Exception {
        Polyproc.Result v = Polyproc.run("--version");
        assertEquals(0, v.exitCode());
        assertTrue(v.out().contains("3.12.8"), v.toString());
        Polyproc.Result h = Polyproc.run("-h");
        assertEquals(0, h.exitCode());
        assertTrue(h.out().startsWith("usage: polyproc"), h.toString());
        Polyproc.Result bad = Polyproc.run("-Z");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("Unknown option: -Z"), bad.toString());
    }

    @Test
    void moduleStdinAndSysExecutable() throws Exception {
        // -m runs a module as __main__; sys.executable is a command that runs Python the same way.
        Polyproc.Result m = Polyproc.run("print('stdin', __name__)\n", Map.of(), "-m", "json.tool", "--help");
        assertEquals(0, m.exitCode(), m.toString());
        assertTrue(m.out().contains("usage:") && m.out().contains("json.tool"), m.toString());
        Polyproc.Result s = Polyproc.run("import subprocess, sys\n"
                + "assert sys.executable.endswith('polyproc'), sys.executable\n"
                + "r = subprocess.run([sys.executable, '-c', 'import sys; print(sys.argv)', 'a'], capture_output=True, text=True)\n"
                + "print(r.returncode, r.stdout.strip())\n", Map.of(), "-");
        assertEquals(0, s.exitCode(), s.toString());
        assertEquals("0 ['-c', 'a']\n", s.out(), s.toString());
        assertFalse(s.err().contains("WARNING"), s.toString());
    }

    @Test
    void distributionArchiveRunsFromAnyFolder(@TempDir Path dir) throws Exception {
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
        Process p = new ProcessBuilder(launcher.toString(), "-c", "import sys; print(sys.executable)")
                .directory(Path.of("/").toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertEquals(launcher.toString() + "\n", out);
    }
}
