package polyproc.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Runs Python behaviour modules (unittest) in one program through the launcher
 * (src/it/python/run_behaviours.py) and turns each test's result line into a JUnit dynamic
 * test named by the test: one failing behaviour does not hide the others.
 */
final class Behaviours {
    /** One program's run: its results by test id (in the order listed) and its exit and output. */
    record Run(String method, Map<String, Outcome> results, Polyproc.Result program) {}

    record Outcome(String outcome, String detail, double seconds) {}

    /**
     * One program runs every module under a start method: more than 10 minutes on a loaded 2-core
     * machine (forkserver, 8 modules: 10 minutes ran out), where a separate program (another
     * launcher JVM) takes half a minute to start.
     */
    static final Duration LIMIT = Duration.ofMinutes(30);

    private Behaviours() {}

    /**
     * Runs the modules under the start method, with the launcher's extra options first, with the
     * server off (a direct run).
     */
    static Run run(String method, List<String> options, String... modules) throws IOException, InterruptedException {
        return run(method, options, Polyproc.Server.OFF, modules);
    }

    /**
     * As above, with the server on or off. A served program has no interpreter options (they
     * would make it run directly) and sets no JVM options for its children (its forkserver
     * children are then the server's workers): run_behaviours.py is told so (POLYPROC_TEST_SERVED),
     * and the program must really have been served.
     */
    static Run run(String method, List<String> options, Polyproc.Server server, String... modules)
            throws IOException, InterruptedException {
        Path results = Files.createTempFile("pp-behaviours-", ".jsonl");
        try {
            List<String> args = new ArrayList<>(options);
            args.add(Polyproc.script("run_behaviours.py").toString());
            args.addAll(List.of("--results", results.toString(), method));
            args.addAll(List.of(modules));
            Map<String, String> env = Map.of();
            if (server == Polyproc.Server.ON) {
                Polyproc.awaitReadyWorker(Polyproc.serverFolder(), Duration.ofMinutes(3));
                env = Map.of("POLYPROC_TEST_SERVED", "1");
            }
            long start = System.nanoTime();
            Polyproc.Result program = Polyproc.run(Polyproc.builder(Polyproc.serverFolder(), server,
                    args), LIMIT, null, env);
            String label = server == Polyproc.Server.ON ? method + ", served" : method;
            Run run = new Run(label, parse(Files.readAllLines(results)), program);
            System.out.println(timeReport(run, (System.nanoTime() - start) / 1e9));
            return run;
        } finally {
            Files.deleteIfExists(results);
        }
    }

    /**
     * Where a program's time went, for the suite's log (the suite's time is mostly these
     * programs): its wall time, each module's share, the rest (the program's start and end, and
     * the classes' set-ups and tear-downs, where their children boot), the slowest tests.
     */
    static String timeReport(Run run, double seconds) {
        Map<String, Double> byModule = new LinkedHashMap<>();
        run.results().forEach((id, outcome) -> byModule.merge(id.split("\\.")[0],
                outcome == null ? 0 : outcome.seconds(), Double::sum));
        StringBuilder report = new StringBuilder(String.format("behaviours [%s]: %.0f s;", run.method(), seconds));
        byModule.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> report.append(String.format(" %s %.0f s,", e.getKey(), e.getValue())));
        double inTests = byModule.values().stream().mapToDouble(Double::doubleValue).sum();
        report.append(String.format(" outside tests %.0f s; slowest:", seconds - inTests));
        run.results().entrySet().stream().filter(e -> e.getValue() != null)
                .sorted((a, b) -> Double.compare(b.getValue().seconds(), a.getValue().seconds())).limit(8)
                .forEach(e -> report.append(String.format(" %s %.1f s,", e.getKey(), e.getValue().seconds())));
        return report.substring(0, report.length() - 1);
    }

    /** Each listed test with its result; null where a test was listed or started but has none. */
    static Map<String, Outcome> parse(List<String> lines) {
        Map<String, Outcome> results = new LinkedHashMap<>();
        for (String line : lines) {
            Map<String, String> f = fields(line);
            String id = f.get("id");
            switch (f.getOrDefault("event", "")) {
                case "list", "start" -> results.putIfAbsent(id, null);
                case "result" -> results.put(id, new Outcome(f.get("outcome"), f.getOrDefault("detail", ""),
                        Double.parseDouble(f.getOrDefault("seconds", "0"))));
                default -> throw new IllegalArgumentException("not a result line: " + line);
            }
        }
        return results;
    }

    /** The fields of one flat JSON object of strings and numbers, as run_behaviours.py writes it. */
    static Map<String, String> fields(String line) {
        Map<String, String> f = new LinkedHashMap<>();
        int i = 0;
        while ((i = line.indexOf('"', i)) >= 0) {
            int keyEnd = line.indexOf('"', i + 1);
            String key = line.substring(i + 1, keyEnd);
            i = line.indexOf(':', keyEnd) + 1;
            while (line.charAt(i) == ' ') {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (line.charAt(i) == '"') {
                for (i++; line.charAt(i) != '"'; i++) {
                    char c = line.charAt(i);
                    if (c == '\\') {
                        c = line.charAt(++i);
                        switch (c) {
                            case 'n' -> c = '\n';
                            case 't' -> c = '\t';
                            case 'r' -> c = '\r';
                            case 'b' -> c = '\b';
                            case 'f' -> c = '\f';
                            case 'u' -> {
                                c = (char) Integer.parseInt(line.substring(i + 1, i + 5), 16);
                                i += 4;
                            }
                            default -> { }
                        }
                    }
                    value.append(c);
                }
                i++;
            } else {
                while (i < line.length() && ",}".indexOf(line.charAt(i)) < 0) {
                    value.append(line.charAt(i++));
                }
            }
            f.put(key, value.toString().trim());
        }
        return f;
    }

    /** A container per module and TestCase class, a dynamic test per test method. */
    static Stream<DynamicNode> tests(Run run) {
        Map<String, List<DynamicNode>> byClass = new LinkedHashMap<>();
        run.results().forEach((id, outcome) -> {
            int dot = id.lastIndexOf('.');
            String owner = dot > 0 && id.indexOf(' ') < 0 ? id.substring(0, dot) : "program";
            // The class and the method: reports that show only a leaf's name still say what it is.
            String name = dot > 0 && id.indexOf(' ') < 0 ? id.substring(owner.lastIndexOf('.') + 1) : id;
            byClass.computeIfAbsent(owner, k -> new ArrayList<>()).add(
                    DynamicTest.dynamicTest(name + " [" + run.method() + "]", () -> check(run, id, outcome)));
        });
        return byClass.entrySet().stream().map(e -> DynamicContainer.dynamicContainer(e.getKey() + " [" + run.method() + "]", e.getValue()));
    }

    private static void check(Run run, String id, Outcome outcome) {
        if (outcome == null) {
            throw new AssertionFailedError(id + ": no result (the program ended or hung first)\n" + run.program());
        }
        switch (outcome.outcome()) {
            case "pass" -> { }
            case "skip" -> throw new TestAbortedException("skipped: " + outcome.detail());
            default -> throw new AssertionFailedError(id + " (" + run.method() + "): " + outcome.outcome() + "\n"
                    + outcome.detail() + "\n--- program stderr (tail)\n" + tail(run.program().err()));
        }
    }

    static String tail(String text) {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }

    /**
     * A dynamic test that the program's exit code agrees with its results: 0 when all passed,
     * 1 when some failed (each reported by name already), nothing else (a crash, a hang).
     */
    static DynamicTest programEndsAsItsResultsSay(Run run) {
        return DynamicTest.dynamicTest("the program runs every test it listed and ends with 0, or 1 when a test failed", () -> {
            List<String> unfinished = run.results().entrySet().stream()
                    .filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList();
            if (!unfinished.isEmpty()) {
                throw new AssertionFailedError("the program ended before these had a result: " + unfinished
                        + "\n" + run.program());
            }
            boolean allPassed = !run.results().isEmpty() && run.results().values().stream()
                    .allMatch(o -> o != null && (o.outcome().equals("pass") || o.outcome().equals("skip")));
            if (run.program().exitCode() != (allPassed ? 0 : 1)) {
                throw new AssertionFailedError("results: " + run.results().size() + ", all passed: " + allPassed
                        + "\n" + run.program());
            }
        });
    }
}
