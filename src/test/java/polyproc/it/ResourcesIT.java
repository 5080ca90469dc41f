package polyproc.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No semaphore, shared-memory segment, socket file or temporary folder outlives the program,
 * whether it ends normally, by an uncaught exception or by SIGKILL.
 */
class ResourcesIT {
    @ParameterizedTest
    @ValueSource(strings = {"exit", "raise", "hang"})
    void nothingOutlivesTheProgram(String ending) throws Exception {
        Process p = Polyproc.builder(List.of(Polyproc.script("resources.py").toString(), ending))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Path> paths = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                if (line.startsWith("path ")) {
                    paths.add(Path.of(line.substring(5)));
                }
            }
            assertEquals(7, paths.size(), "paths printed: " + paths);
            // The program waits for our go-ahead on stdin: it is alive while we look.
            for (Path path : paths) {
                assertTrue(Files.exists(path), path + " exists while the program runs");
            }
            if (ending.equals("hang")) {
                p.destroyForcibly();
            } else {
                try (var goAhead = p.getOutputStream()) {
                    goAhead.write('\n');
                }
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(switch (ending) { case "exit" -> 0; case "raise" -> 1; default -> 137; }, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
        // The resource tracker cleans up once the last process of the program has gone.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Path path : paths) {
            while (Files.exists(path)) {
                assertTrue(System.nanoTime() < deadline, path + " outlived the program (" + ending + ")");
                Thread.sleep(50);
            }
        }
    }
}
