package polyproc.launch;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The command line of a child JVM: the same java, the same JVM options (heap, -D properties, the
 * JIT's module path, ...) and class path as this JVM (a Java host's own: its jars or its shaded
 * jar, made absolute, as a child may run in another directory), plus what is asked for children
 * only: a Java host's options, then {@code POLYPROC_CHILD_JAVA_OPTIONS} (e.g. {@code -Xmx512m});
 * later options win.
 */
public final class JvmCommand {
    /** Environment variable with extra JVM options for child processes, split on white space. */
    public static final String CHILD_OPTIONS_ENV = "POLYPROC_CHILD_JAVA_OPTIONS";

    private JvmCommand() {}

    public static List<String> forMain(String mainClass, List<String> hostOptions, String childOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger agent would fight the parent's for its port.
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(hostOptions);
        if (childOptions != null && !childOptions.isBlank()) {
            cmd.addAll(List.of(childOptions.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(absolute(System.getProperty("java.class.path")));
        cmd.add(mainClass);
        return cmd;
    }

    private static String absolute(String classPath) {
        return Arrays.stream(classPath.split(File.pathSeparator))
                .map(entry -> entry.isEmpty() ? entry : Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
