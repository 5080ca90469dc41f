package polyproc.context;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;

/** The polyglot options of a polyproc Context, for the {@code polyproc} command and Java hosts alike. */
public final class PolyprocOptions {
    private PolyprocOptions() {}

    /**
     * What every polyproc Context has, parent and children alike, with {@code user}'s options
     * applied over them; polyproc's Python package goes after the user's {@code python.PythonPath}.
     */
    public static Map<String, String> common(Map<String, String> user) {
        Map<String, String> o = new LinkedHashMap<>();
        // Real descriptors and real pids: multiprocessing's Connections, select() and os.getpid()
        // must see the operating system, not GraalPy's Java emulation of it.
        o.put("python.PosixModuleBackend", "native");
        o.put("engine.WarnInterpreterOnly", "false");
        // GraalPy warns on every Context that the native backend is "not fully supported when
        // embedding"; what it means (descriptors 0-2 are the process's) polyproc handles.
        o.put("log.python.level", "SEVERE");
        o.putAll(user);
        String path = PythonFiles.directory().toString();
        String userPath = user.get("python.PythonPath");
        o.put("python.PythonPath", userPath == null || userPath.isEmpty() ? path : userPath + File.pathSeparator + path);
        return o;
    }

    /**
     * The {@code polyproc} command's: python3's behaviour on top of {@link #common}, then
     * {@code flags} from its command line. {@code launcher} becomes {@code sys.executable}.
     */
    public static Map<String, String> command(String launcher, Map<String, String> flags) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("python.Executable", launcher);
        o.put("python.ForceImportSite", "true");
        // Embedded GraalPy defaults to -B; caching bytecode as python3 does halves the import
        // time of multiprocessing and its dependencies (2.4 s to 1.7 s here, warm cache).
        o.put("python.DontWriteBytecodeFlag", "false");
        o.put("python.AlwaysRunExcepthook", "true");
        // SIGINT raises KeyboardInterrupt, signal.signal() works (also in children: WorkerMain).
        o.put("python.InstallSignalHandlers", "true");
        // As python3: PYTHONDONTWRITEBYTECODE means -B, unless -E or -I.
        String noBytecode = System.getenv("PYTHONDONTWRITEBYTECODE");
        if (noBytecode != null && !noBytecode.isEmpty() && !"true".equals(flags.get("python.IgnoreEnvironmentFlag"))) {
            o.put("python.DontWriteBytecodeFlag", "true");
        }
        o.putAll(flags);
        return common(o);
    }
}
