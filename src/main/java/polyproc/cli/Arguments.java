package polyproc.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** python3's command line, as the {@code polyproc} command takes it. */
public final class Arguments {
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

    /** What the command line asks for. */
    public record Invocation(Map<String, String> options, String command, String module, String script,
                      List<String> argv) {}

    private Arguments() {}

    public static final class UsageError extends Exception {
        final int exitCode;

        UsageError(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** Parses python3-style arguments. */
    public static Invocation parse(String[] args) throws UsageError {
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
