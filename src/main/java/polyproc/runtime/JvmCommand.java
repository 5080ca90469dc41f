package polyproc.runtime;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM: the same java, the same JVM options (heap, -D properties, the
 * JIT's module path, ...) and class path as this JVM, plus what the user asks for children only
 * in {@code POLYPROC_CHILD_JAVA_OPTIONS} (e.g. {@code -Xmx512m}), which come last and so win.
 */
public final class JvmCommand {
    /** Environment variable with extra JVM options for child processes, split on white space. */
    public static final String CHILD_OPTIONS_ENV = "POLYPROC_CHILD_JAVA_OPTIONS";

    private JvmCommand() {}

    public static List<String> forMain(Class<?> mainClass, String childOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger agent would fight the parent's for its port.
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp")) {
                cmd.add(arg);
            }
        }
        if (childOptions != null && !childOptions.isBlank()) {
            cmd.addAll(List.of(childOptions.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return cmd;
    }
}
