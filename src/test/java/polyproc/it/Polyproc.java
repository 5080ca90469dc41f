package polyproc.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the built distribution's launcher (target/dist/bin/polyproc), as a user would. */
final class Polyproc {
    static final Path LAUNCHER = Path.of("target", "dist", "bin", "polyproc").toAbsolutePath();
    static final Path SCRIPTS = Path.of("src", "it", "python").toAbsolutePath();

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }

        int count(String stream, String line) {
            return (int) stream.lines().filter(line::equals).count();
        }
    }

    private Polyproc() {}

    static Path script(String name) {
        return SCRIPTS.resolve(name);
    }

    static ProcessBuilder builder(List<String> args) {
        if (!Files.isExecutable(LAUNCHER)) {
            throw new IllegalStateException(LAUNCHER + " is missing: run `mvn verify`, which builds it first");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(null, Map.of(), args);
    }

    static Result run(String stdin, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(Duration.ofMinutes(10), stdin, env, args);
    }

    /** As run(stdin, env, args), for a program that may take longer than 10 minutes (limit). */
    static Result run(Duration limit, String stdin, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        ProcessBuilder pb = builder(List.of(args));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("polyproc " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        });
    }
}
