package polyproc.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;

import polyproc.posix.LibC;
import polyproc.runtime.ContextSpec;
import polyproc.runtime.ChildSettings;
import polyproc.runtime.PolyprocRuntime;
import polyproc.runtime.PythonFiles;

/**
 * The {@code polyproc} command: runs Python the way {@code python3} does, on GraalPy, with
 * polyproc's multiprocessing. bin/polyproc starts this class; it sets the system properties
 * {@code polyproc.launcher} (its own path, which becomes {@code sys.executable}) and
 * {@code polyproc.home} (where the {@code python/} folder is).
 */
public final class Main {
    static final String VERSION = "polyproc 0.1.0";
    static final String USAGE = "usage: polyproc [option] ... [-c cmd | -m mod | file | -] [arg] ...";
    static final String HELP = USAGE + """

            Options (as python3's):
            -b, -d, -O, -R : accepted, no effect on GraalPy
            -B     : don't write .pyc files on import
            -c cmd : program passed in as string (terminates option list)
            -E     : ignore PYTHON* environment variables (such as PYTHONPATH)
            -h     : print this help message and exit (also -? or --help)
            -I     : isolate Python from the user's environment (implies -E and -s)
            -m mod : run library module as a script (terminates option list)
            -P     : don't prepend a potentially unsafe path to sys.path
            -q     : don't print version and copyright messages on interactive startup
            -s     : don't add user site directory to sys.path
            -S     : don't imply 'import site' on initialization
            -u     : force the stdout and stderr streams to be unbuffered
            -v     : verbose (trace import statements)
            -W arg : warning control
            -X opt : implementation-specific option (int_max_str_digits=N)
            -V     : print the version number and exit (also --version)
            file   : program read from script file
            -      : program read from stdin (default; interactive mode if a tty)
            arg ...: arguments passed to program in sys.argv[1:]

            Environment:
            POLYPROC_CHILD_JAVA_OPTIONS : extra JVM options for child processes (e.g. -Xmx512m)
            """;

    private Main() {}

    /** Set on an AOT training run: the JVM writes its AOT cache in its own exit, not in _exit. */
    static final String JVM_EXIT_PROPERTY = "polyproc.jvmExit";

    /** What the command line asks for. */
    record Invocation(Map<String, String> options, String command, String module, String script,
                      List<String> argv) {}

    public static void main(String[] args) {
        int code = run(args);
        if (Boolean.getBoolean(JVM_EXIT_PROPERTY)) {
            System.exit(code);
        }
        LibC.exitNow(code); // see exitNow for the ~0.4 s this saves
    }

    static int run(String[] args) {
        PrintStream err = System.err;
        Invocation inv;
        try {
            inv = parse(args);
        } catch (UsageError e) {
            if (e.exitCode == 0) {
                System.out.print(e.getMessage());
                return 0;
            }
            err.println(e.getMessage());
            err.println(USAGE);
            err.println("Try `polyproc -h' for more information.");
            return 2;
        }
        String launcher = System.getProperty("polyproc.launcher", "polyproc");
        if (inv.script != null && !inv.script.equals("-")) {
            Path p = Path.of(inv.script).toAbsolutePath();
            if (!Files.exists(p)) {
                err.println(launcher + ": can't open file '" + p + "': [Errno 2] No such file or directory");
                return 2;
            }
        }
        ContextSpec spec = new ContextSpec(baseOptions(launcher, inv.options));
        Map<String, String> parentOnly = new LinkedHashMap<>();
        if (inv.script != null && !inv.script.equals("-")) {
            parentOnly.put("python.InputFilePath", inv.script);
        }
        PolyprocRuntime runtime = null;
        try {
            // Never closed: the program ends as CPython's does (finishLikeExit), then main() ends
            // the process with _exit.
            Context context = spec.with(parentOnly).newBuilder()
                    .arguments("python", inv.argv.toArray(String[]::new)).build();
            runtime = PolyprocRuntime.install(context, spec, ChildSettings.COMMAND);
            int code = runMain(context, inv);
            return finishLikeExit(context, code);
        } catch (IOException e) {
            err.println(launcher + ": " + e.getMessage());
            return 1;
        } finally {
            // After the atexit handlers, where multiprocessing's joined the children.
            if (runtime != null) {
                runtime.close();
            }
        }
    }

    /** Runs the script, command or module; its exit code, as python3's. */
    private static int runMain(Context context, Invocation inv) throws IOException {
        try {
            context.eval(mainSource(inv));
            return 0;
        } catch (PolyglotException e) {
            // A Python exception: GraalPy has printed its traceback (AlwaysRunExcepthook).
            return exitCode(e, 1);
        }
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

    /** Options every polyproc Context has, parent and children alike. */
    static Map<String, String> baseOptions(String launcher, Map<String, String> flags) {
        Map<String, String> o = new LinkedHashMap<>();
        // Real descriptors and real pids: multiprocessing's Connections, select() and os.getpid()
        // must see the operating system, not GraalPy's Java emulation of it.
        o.put("python.PosixModuleBackend", "native");
        o.put("python.Executable", launcher);
        o.put("python.PythonPath", PythonFiles.directory().toString());
        o.put("python.ForceImportSite", "true");
        // Embedded GraalPy defaults to -B; caching bytecode as python3 does halves the import
        // time of multiprocessing and its dependencies (2.4 s to 1.7 s here, warm cache).
        o.put("python.DontWriteBytecodeFlag", "false");
        o.put("python.AlwaysRunExcepthook", "true");
        // SIGINT raises KeyboardInterrupt, signal.signal() works (also in children: ChildMain).
        o.put("python.InstallSignalHandlers", "true");
        o.put("engine.WarnInterpreterOnly", "false");
        // GraalPy warns on every start that the native backend is "not fully supported when
        // embedding" (its standard streams are always descriptors 0, 1, 2: what a command wants).
        o.put("log.python.level", "SEVERE");
        // As python3: PYTHONDONTWRITEBYTECODE means -B, unless -E or -I.
        String noBytecode = System.getenv("PYTHONDONTWRITEBYTECODE");
        if (noBytecode != null && !noBytecode.isEmpty() && !"true".equals(flags.get("python.IgnoreEnvironmentFlag"))) {
            o.put("python.DontWriteBytecodeFlag", "true");
        }
        o.putAll(flags);
        return o;
    }

    private static Source mainSource(Invocation inv) throws IOException {
        if (inv.command != null) {
            return Source.newBuilder("python", inv.command, "<string>").build();
        }
        if (inv.module != null) {
            // As python3 -m: sys.path[0] is the working directory, runpy finds and runs the module.
            String code = "import os, sys, runpy\nsys.path[0] = os.getcwd()\n"
                    + "runpy._run_module_as_main(" + pyString(inv.module) + ")\n";
            return Source.newBuilder("python", code, "<run_module>").internal(true).build();
        }
        if (inv.script == null || inv.script.equals("-")) {
            if (inv.script == null && System.console() != null) {
                return Source.newBuilder("python", "import code\ncode.interact()", "<stdin>").build();
            }
            String code = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            return Source.newBuilder("python", code, "<stdin>").build();
        }
        // GraalPy runs the file named by python.InputFilePath as __main__, with sys.path[0] set
        // to its folder, as its own launcher does.
        return Source.newBuilder("python", "__graalpython__.run_path()", "<internal>").internal(true).build();
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    static final class UsageError extends Exception {
        final int exitCode;

        UsageError(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** Parses python3-style arguments. */
    static Invocation parse(String[] args) throws UsageError {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        int i = 0;
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--version")) {
                throw new UsageError(VERSION + " (Python " + "3.12.8, GraalPy 25.0.3)\n", 0);
            }
            if (a.equals("--help")) {
                throw new UsageError(HELP, 0);
            }
            if (!a.startsWith("-") || a.equals("-")) {
                break;
            }
            if (a.equals("--")) {
                i++;
                break;
            }
            // A cluster such as -uB, or an option with its argument attached (-c'code', -Wignore).
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                switch (c) {
                    case 'c', 'm', 'W', 'X' -> {
                        String value;
                        if (j + 1 < a.length()) {
                            value = a.substring(j + 1);
                        } else if (i + 1 < args.length) {
                            value = args[++i];
                        } else {
                            throw new UsageError("Argument expected for the -" + c + " option", 2);
                        }
                        if (c == 'c' || c == 'm') {
                            List<String> argv = new ArrayList<>();
                            argv.add(c == 'c' ? "-c" : "-m");
                            argv.addAll(List.of(args).subList(i + 1, args.length));
                            finishWarnings(options, warnings);
                            return new Invocation(options, c == 'c' ? value + "\n" : null, c == 'm' ? value : null,
                                    null, argv);
                        }
                        if (c == 'W') {
                            warnings.add(value);
                        } else if (value.startsWith("int_max_str_digits=")) {
                            options.put("python.IntMaxStrDigits", value.substring("int_max_str_digits=".length()));
                        }
                        j = a.length();
                    }
                    case 'B' -> options.put("python.DontWriteBytecodeFlag", "true");
                    case 'E' -> options.put("python.IgnoreEnvironmentFlag", "true");
                    case 'I' -> {
                        options.put("python.IsolateFlag", "true");
                        options.put("python.IgnoreEnvironmentFlag", "true");
                        options.put("python.NoUserSiteFlag", "true");
                    }
                    case 's' -> options.put("python.NoUserSiteFlag", "true");
                    case 'S' -> {
                        options.put("python.NoSiteFlag", "true");
                        options.put("python.ForceImportSite", "false");
                    }
                    case 'u' -> options.put("python.UnbufferedIO", "true");
                    case 'q' -> options.put("python.QuietFlag", "true");
                    case 'v' -> options.put("python.VerboseFlag", "true");
                    case 'P' -> options.put("python.SafePathFlag", "true");
                    // Accepted and without effect, as far as GraalPy goes: optimisation levels,
                    // bytes warnings, parser debugging (GraalPy reports sys.flags.debug=1, so
                    // subprocess._args_from_interpreter_flags() passes -d to every child),
                    // hash randomisation (always on).
                    case 'O', 'b', 'd', 'R' -> { }
                    case 'V' -> throw new UsageError("Python 3.12.8 (" + VERSION + ")\n", 0);
                    case 'h', '?' -> throw new UsageError(HELP, 0);
                    default -> throw new UsageError("Unknown option: -" + c, 2);
                }
            }
            i++;
        }
        finishWarnings(options, warnings);
        if (i >= args.length) {
            return new Invocation(options, null, null, null, List.of(""));
        }
        List<String> argv = new ArrayList<>(List.of(args).subList(i, args.length));
        return new Invocation(options, null, null, args[i], argv);
    }

    private static void finishWarnings(Map<String, String> options, List<String> warnings) {
        if (!warnings.isEmpty()) {
            // GraalPy's list separator for string-list options.
            options.put("python.WarnOptions", String.join("\uD83C\uDFC6", warnings));
        }
    }
}
