package polyproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Packages depend on each other one way: each only on those listed for it (no cycle). */
class PackageDependenciesTest {
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("cli", Set.of("bridge", "context", "internal.posix")),
            Map.entry("embed", Set.of("bridge", "context", "supervise", "internal.posix")),
            Map.entry("server", Set.of("cli", "context", "forkserver", "launch", "protocol", "supervise", "internal.posix")),
            Map.entry("worker", Set.of("bridge", "cli", "context", "launch", "protocol", "internal.posix")),
            Map.entry("bridge", Set.of("context", "forkserver", "launch", "protocol", "supervise", "internal.posix")),
            Map.entry("forkserver", Set.of("launch", "supervise", "internal.posix")),
            Map.entry("launch", Set.of("context", "protocol", "supervise", "internal.posix")),
            Map.entry("protocol", Set.of("context", "internal.posix")),
            Map.entry("supervise", Set.of("context", "internal.posix")),
            Map.entry("context", Set.of()),
            Map.entry("internal.posix", Set.of()));
    private static final Path SOURCES = Path.of("src", "main", "java", "polyproc");
    private static final Pattern REFERENCE = Pattern.compile("(?m)^import (?:static )?polyproc\\.((?:internal\\.)?[a-z]+)\\.[A-Z]");

    @Test
    void dependenciesRunOneWay() throws IOException {
        Set<String> violations = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> allowed = ALLOWED.get(pkg);
                if (allowed == null) {
                    violations.add(pkg + " (a package this test does not know)");
                    continue;
                }
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    String used = m.group(1);
                    if (!used.equals(pkg) && !allowed.contains(used)) {
                        violations.add(file.getFileName() + " (" + pkg + ") uses polyproc." + used);
                    }
                }
            }
        }
        assertEquals(Set.of(), violations);
    }
}
