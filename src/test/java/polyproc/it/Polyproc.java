package polyproc.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the built distribution's launcher (target/dist/bin/polyproc), as a user would.
 *
 * <p>Every launcher started here uses a polyproc server folder of the tests' own (never the
 * user's {@code /tmp/polyproc-UID}, where a server would outlive the tests for 10 minutes): one
 * shared by the whole test JVM unless a test asks for a {@link #newServerFolder() private one}.
 * At the JVM's end every server started in those folders is stopped (and killed if it does not
 * stop) and the folders are deleted.
 */
final class Polyproc {
    static final Path LAUNCHER = Path.of("target", "dist", "bin", "polyproc").toAbsolutePath();
    static final Path SCRIPTS = Path.of("src", "it", "python").toAbsolutePath();
    static final String SERVER_MAIN = "polyproc.server.ServerMain";
    /** What a served command's client says, with POLYPROC_SERVER_DEBUG=1, when it runs the program itself. */
    static final String DIRECT_LINE = "polyproc: runs without the server: ";

    /** Whether a command may use the polyproc server (POLYPROC_SERVER=0 when not). */
    enum Server {
        ON, OFF;

        Map<String, String> env() {
            return this == OFF ? Map.of("POLYPROC_SERVER", "0") : Map.of();
        }
    }

    private static final List<Path> FOLDERS = new CopyOnWriteArrayList<>();

    /** The test JVM's shared server folder, made on first use. */
    private static final class Shared {
        static final Path FOLDER = newServerFolder();
    }

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> FOLDERS.forEach(Polyproc::removeServerFolder)));
    }

    /** The server folder every launcher run here uses unless told otherwise. */
    static Path serverFolder() {
        return Shared.FOLDER;
    }

    /**
     * A new private server folder (0700, short: a Unix socket's path holds at most 107 bytes),
     * whose servers are stopped and which is deleted when the test JVM ends.
     */
    static Path newServerFolder() {
        try {
            Path folder = Files.createTempDirectory(Path.of("/tmp"), "polyproc-it-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            FOLDERS.add(folder);
            return folder;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The environment that points a launcher at {@code folder}'s server (ended after 2 idle minutes). */
    static Map<String, String> serverEnv(Path folder) {
        return Map.of("POLYPROC_SERVER_DIR", folder.toString(), "POLYPROC_SERVER_IDLE_TIMEOUT", "120");
    }

    /** The pids of the server processes (ServerMain) of {@code folder}, whatever their key. */
    static List<Long> serverPids(Path folder) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                List<String> args;
                try {
                    args = List.of(new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                int main = args.indexOf(SERVER_MAIN);
                if (main >= 0 && main + 1 < args.size() && args.get(main + 1).equals(folder.toString())) {
                    pids.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return pids;
    }

    /** Stops folder's server (the launcher's --server-stop), kills any server left there, deletes the folder. */
    static void removeServerFolder(Path folder) {
        try {
            if (!serverPids(folder).isEmpty()) {
                Process stop = builder(folder, Server.ON, List.of("--server-stop"))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                stop.waitFor(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (!serverPids(folder).isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                // Another key's server (another build, another launcher) or one that did not stop;
                // its idle workers end with it (their bootstrap socket hangs up).
                for (long pid : serverPids(folder)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("polyproc tests: could not clean up " + folder + ": " + e);
        }
    }

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

    /** The launcher with args, on the shared server folder (a test may add to its environment). */
    static ProcessBuilder builder(List<String> args) {
        return builder(serverFolder(), Server.ON, args);
    }

    static ProcessBuilder builder(Path folder, Server server, List<String> args) {
        return builder(LAUNCHER, folder, server, args);
    }

    /** Another launcher (an unpacked distribution's) with args, on folder's server or none. */
    static ProcessBuilder builder(Path launcher, Path folder, Server server, List<String> args) {
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is missing: run `mvn verify`, which builds it first");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(serverEnv(folder));
        pb.environment().putAll(server.env());
        return pb;
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
        return run(builder(List.of(args)), limit, stdin, env);
    }

    /** Runs pb (from builder) with env added to its environment; stdin, if not null, as its input. */
    static Result run(ProcessBuilder pb, Duration limit, String stdin, Map<String, String> env)
            throws IOException, InterruptedException {
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
            throw new AssertionError(String.join(" ", pb.command()) + " did not finish");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /** What --server-status says of a server: its pid, its idle workers' pids, the ready ones, the paused ones. */
    record Status(long pid, List<Long> workers, List<Long> ready, List<Long> paused, String text) {}

    /** The status of folder's server, or null if none answers. */
    static Status status(Path folder) throws IOException, InterruptedException {
        return status(LAUNCHER, folder);
    }

    static Status status(Path launcher, Path folder) throws IOException, InterruptedException {
        Result r = run(builder(launcher, folder, Server.ON, List.of("--server-status")), Duration.ofSeconds(30), null, Map.of());
        if (r.exitCode() != 0 || !r.out().startsWith("pid ")) {
            return null;
        }
        long pid = -1;
        List<Long> workers = new ArrayList<>();
        List<Long> ready = new ArrayList<>();
        List<Long> paused = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            String[] w = line.trim().split("[ ,]+");
            if (line.startsWith("pid ")) {
                pid = Long.parseLong(w[1]);
            } else if (w[0].equals("worker")) {
                workers.add(Long.parseLong(w[1]));
                if (w[2].equals("ready")) {
                    ready.add(Long.parseLong(w[1]));
                } else if (w[3].equals("paused")) {
                    paused.add(Long.parseLong(w[1]));
                }
            }
        }
        return new Status(pid, workers, ready, paused, r.out());
    }

    /**
     * Waits until folder's server has a ready idle worker (a command then runs in it), starting
     * the server first if none answers (with a command that runs directly meanwhile). Workers boot
     * only while the machine is idle, so this waits for that too.
     */
    static Status awaitReadyWorker(Path folder, Duration limit) throws IOException, InterruptedException {
        return awaitReadyWorker(LAUNCHER, folder, limit);
    }

    static Status awaitReadyWorker(Path launcher, Path folder, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Status s = status(launcher, folder);
        if (s == null) {
            Result started = run(builder(launcher, folder, Server.ON, List.of("-c", "pass")), Duration.ofMinutes(2), null, Map.of());
            if (started.exitCode() != 0) {
                throw new AssertionError("the command that starts a server failed: " + started);
            }
        }
        while (true) {
            s = status(launcher, folder);
            if (s != null && !s.ready().isEmpty()) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no ready worker in " + folder + "'s server within " + limit.toSeconds() + " s: "
                        + (s == null ? "no server" : s.text()) + log(folder));
            }
            Thread.sleep(200);
        }
    }

    /** The server logs in folder, for a failure's message. */
    static String log(Path folder) {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".log"))::iterator) {
                out.append("\n--- ").append(f).append('\n').append(Files.readString(f));
            }
        } catch (IOException e) {
            out.append("\n<").append(e).append('>');
        }
        return out.toString();
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
