package polyproc.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;

import polyproc.internal.posix.Processes;
import polyproc.internal.posix.Signals;
import polyproc.context.ContextSpec;
import polyproc.context.ChildSettings;
import polyproc.bridge.Bridge;
import polyproc.context.PolyprocOptions;

/**
 * The {@code polyproc} command: runs Python the way {@code python3} does, on GraalPy, with
 * polyproc's multiprocessing. bin/polyproc starts this class; it sets the system properties
 * {@code polyproc.launcher} (its own path, which becomes {@code sys.executable}) and
 * {@code polyproc.home} (where the {@code python/} folder is).
 */
public final class Main {
    private Main() {}

    /** Set on an AOT training run: the JVM writes its AOT cache in its own exit, not in _exit. */
    static final String JVM_EXIT_PROPERTY = "polyproc.jvmExit";

    public static void main(String[] args) {
        // As python3 (and a served program, whose worker does the same: WorkerMain): SIGTERM and
        // SIGHUP end the program by the signal, not by the JVM's shutdown with exit 128+N; one
        // that the caller ignores (nohup) stays ignored.
        for (int sig : new int[] {Signals.SIGTERM, Signals.SIGHUP}) {
            if (!Signals.isIgnored(sig)) {
                Signals.setDefaultAction(sig);
            }
        }
        int code = run(args);
        if (Boolean.getBoolean(JVM_EXIT_PROPERTY)) {
            System.exit(code);
        }
        Processes.exitNow(code); // see exitNow for the ~0.4 s this saves
    }

    static int run(String[] args) {
        PrintStream err = System.err;
        Arguments.Invocation inv;
        try {
            inv = Arguments.parse(args);
        } catch (Arguments.UsageError e) {
            if (e.exitCode == 0) {
                System.out.print(e.getMessage());
                return 0;
            }
            err.println(e.getMessage());
            err.println(Arguments.USAGE);
            err.println("Try `polyproc -h' for more information.");
            return 2;
        }
        String launcher = launcher();
        if (scriptIsMissing(inv, Path.of("").toAbsolutePath())) {
            return 2;
        }
        ContextSpec spec = new ContextSpec(PolyprocOptions.command(launcher, inv.options()));
        Map<String, String> parentOnly = new LinkedHashMap<>();
        if (inv.script() != null && !inv.script().equals("-")) {
            parentOnly.put("python.InputFilePath", inv.script());
        }
        Bridge bridge = null;
        try {
            // Never closed: the program ends as CPython's does (finishLikeExit), then main() ends
            // the process with _exit.
            Context context = spec.with(parentOnly).newBuilder()
                    .arguments("python", inv.argv().toArray(String[]::new)).build();
            bridge = Bridge.install(context, spec, ChildSettings.COMMAND);
            return runProgram(context, mainSource(inv, null));
        } catch (IOException e) {
            err.println(launcher + ": " + e.getMessage());
            return 1;
        } finally {
            // After the atexit handlers, where multiprocessing's joined the children.
            if (bridge != null) {
                bridge.close();
            }
        }
    }

    /** sys.executable: the command that started this JVM (bin/polyproc). */
    public static String launcher() {
        return System.getProperty("polyproc.launcher", "polyproc");
    }

    /** Whether the command names a script that is not there (said on stderr as python3 does: exit 2). */
    public static boolean scriptIsMissing(Arguments.Invocation inv, Path cwd) {
        if (inv.script() == null || inv.script().equals("-")) {
            return false;
        }
        Path p = cwd.resolve(inv.script()).normalize();
        if (Files.exists(p)) {
            return false;
        }
        System.err.println(launcher() + ": can't open file '" + p + "': [Errno 2] No such file or directory");
        return true;
    }

    /**
     * Runs the program's main code (the script, command or module) and ends as the interpreter's
     * exit does; its exit code, as python3's.
     */
    public static int runProgram(Context context, Source main) {
        int code;
        try {
            context.eval(main);
            code = 0;
        } catch (PolyglotException e) {
            // A Python exception: GraalPy has printed its traceback (AlwaysRunExcepthook).
            code = exitCode(e, 1);
        }
        return finishLikeExit(context, code);
    }

    /** The interpreter's exit, as Python code sees it (polyproc.finish_like_exit); the exit code. */
    private static int finishLikeExit(Context context, int code) {
        try {
            context.eval("python", "import polyproc\npolyproc.finish_like_exit").executeVoid();
            return code;
        } catch (PolyglotException e) {
            return exitCode(e, code == 0 ? 1 : code);
        }
    }

    /** sys.exit()'s status, else otherwise (an internal error is printed first). */
    private static int exitCode(PolyglotException e, int otherwise) {
        if (e.isExit()) {
            return e.getExitStatus();
        }
        if (!e.isGuestException()) {
            e.printStackTrace();
        }
        return otherwise;
    }

    /**
     * The program's main code. {@code script}: the script file, read here, for a Context built
     * before the command came (a served program, which polyproc.program set up as __main__);
     * null: the Context was built for this command (python.InputFilePath).
     */
    public static Source mainSource(Arguments.Invocation inv, Path script) throws IOException {
        if (inv.command() != null) {
            return Source.newBuilder("python", inv.command(), "<string>").build();
        }
        if (inv.module() != null) {
            // As python3 -m: sys.path[0] is the working directory, runpy finds and runs the module.
            String code = "import os, sys, runpy\nsys.path[0] = os.getcwd()\n"
                    + "runpy._run_module_as_main(" + pyString(inv.module()) + ")\n";
            return Source.newBuilder("python", code, "<run_module>").internal(true).build();
        }
        if (inv.script() == null || inv.script().equals("-")) {
            if (inv.script() == null && System.console() != null) {
                return Source.newBuilder("python", "import code\ncode.interact()", "<stdin>").build();
            }
            String code = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            return Source.newBuilder("python", code, "<stdin>").build();
        }
        if (script != null) {
            return Source.newBuilder("python", decode(Files.readAllBytes(script)), inv.script()).build();
        }
        // GraalPy runs the file named by python.InputFilePath as __main__, with sys.path[0] set
        // to its folder, as its own launcher does.
        return Source.newBuilder("python", "__graalpython__.run_path()", "<internal>").internal(true).build();
    }

    private static final Pattern CODING = Pattern.compile("^[ \\t\\f]*#.*?coding[:=][ \\t]*([-\\w.]+)");

    /** A source file's text: UTF-8 unless a coding declaration in its first two lines says otherwise (PEP 263). */
    private static String decode(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 1024), StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\n", 3);
        for (int i = 0; i < Math.min(2, lines.length); i++) {
            Matcher m = CODING.matcher(lines[i]);
            if (m.find()) {
                try {
                    return new String(bytes, Charset.forName(m.group(1)));
                } catch (IllegalArgumentException e) {
                    break; // GraalPy reports an unknown encoding when it compiles
                }
            }
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

}
