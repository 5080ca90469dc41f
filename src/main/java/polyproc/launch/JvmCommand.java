package polyproc.launch;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The command line of a child JVM: the same java, the same JVM options (heap, -D properties, the
 * JIT's module path, ...) and class path as this JVM (a Java host's own: its jars or its shaded
 * jar, made absolute, as a child may run in another directory), plus what is asked for children
 * only: a Java host's options, then {@code POLYPROC_CHILD_JAVA_OPTIONS} (e.g. {@code -Xmx512m});
 * later options win. A collector chosen for children replaces this JVM's (two collectors are a
 * JVM start-up error, not a later option winning).
 */
public final class JvmCommand {
    /** Environment variable with extra JVM options for child processes, split on white space. */
    public static final String CHILD_OPTIONS_ENV = "POLYPROC_CHILD_JAVA_OPTIONS";

    private JvmCommand() {}

    public static List<String> forMain(String mainClass, List<String> hostOptions, String childOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java"));
        List<String> childOnly = childOnly(hostOptions, childOptions);
        cmd.addAll(inherited(ManagementFactory.getRuntimeMXBean().getInputArguments(), childOnly));
        cmd.addAll(childOnly);
        cmd.add("-cp");
        cmd.add(absolute(System.getProperty("java.class.path")));
        cmd.add(mainClass);
        return cmd;
    }

    /** This JVM's options that a child takes: not a debugger agent, not a collector the child's own options replace. */
    static List<String> inherited(List<String> parentOptions, List<String> childOnly) {
        boolean ownCollector = childOnly.stream().anyMatch(JvmCommand::selectsCollector);
        return parentOptions.stream()
                // A debugger agent would fight the parent's for its port.
                .filter(arg -> !arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp"))
                .filter(arg -> !(ownCollector && selectsCollector(arg)))
                .toList();
    }

    static List<String> childOnly(List<String> hostOptions, String childOptions) {
        List<String> options = new ArrayList<>(hostOptions);
        if (childOptions != null && !childOptions.isBlank()) {
            options.addAll(List.of(childOptions.trim().split("\\s+")));
        }
        return options;
    }

    /** The options that choose HotSpot's collector (not, e.g., -XX:+UseMaximumCompactionOnSystemGC). */
    private static final Set<String> COLLECTORS = Set.of("-XX:+UseSerialGC", "-XX:+UseParallelGC",
            "-XX:+UseG1GC", "-XX:+UseZGC", "-XX:+UseShenandoahGC", "-XX:+UseEpsilonGC");

    static boolean selectsCollector(String option) {
        return COLLECTORS.contains(option);
    }

    private static String absolute(String classPath) {
        return Arrays.stream(classPath.split(File.pathSeparator))
                .map(entry -> entry.isEmpty() ? entry : Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
