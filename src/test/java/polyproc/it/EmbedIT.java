package polyproc.it;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import polyproc.embed.PolyprocContext;
import polyproc.embed.PythonProcess;
import polyproc.embed.PythonProcessException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Java host embedding GraalPy through polyproc.embed, in this JVM (the test's class path is a
 * host's: polyproc's jar and GraalPy's). Child JVMs boot interpreted here (no JIT modules on
 * this JVM, and children copy its options), 5-10 s each, so most tests share one Context.
 */
class EmbedIT {
    private static final String JOBS = Polyproc.SCRIPTS.toString();
    private static final ByteArrayOutputStream OUT = new ByteArrayOutputStream();
    private static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();
    private static PolyprocContext shared;

    @BeforeAll
    static void startShared() {
        shared = PolyprocContext.newBuilder().option("python.PythonPath", JOBS).out(OUT).err(ERR)
                .childJavaOptions("-Dpolyproc.test.marker=embedded").build();
    }

    @AfterAll
    static void closeShared() {
        shared.close();
    }

    private static String text(ByteArrayOutputStream stream) {
        synchronized (stream) {
            return stream.toString(StandardCharsets.UTF_8);
        }
    }

    private static Object get(CompletableFuture<Object> result) throws Exception {
        return result.get(2, TimeUnit.MINUTES);
    }

    /** Pids of this JVM's child processes right now. */
    private static List<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).toList();
    }

    private static void assertGone(List<Long> pids) {
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " still runs");
        }
    }

    @Test
    void functionRunsInAChildProcessWithArgumentsResultAndOutput() throws Exception {
        PythonProcess p = shared.process("embed_jobs:work").args(3, "ab").start();
        Map<?, ?> result = assertInstanceOf(Map.class, get(p.result()));
        assertEquals(p.pid(), result.get("pid"));
        assertEquals(ProcessHandle.current().pid(), result.get("ppid"));
        assertEquals(6L, result.get("double"));
        assertEquals("ababab", result.get("text"));
        assertEquals(Arrays.asList(1L, 2.5, null, true), result.get("items"));
        assertEquals("/dev/null", result.get("stdin"), "a child's stdin is closed");
        assertEquals(0, p.waitFor());
        assertEquals(0, p.exitValue());
        assertEquals("working on 3 ab\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("a warning\n", new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void argumentsAndResultCrossAsPythonsJsonHasThem() throws Exception {
        BigInteger big = BigInteger.TWO.pow(70);
        List<Object> args = Arrays.asList(Double.NaN, Double.NEGATIVE_INFINITY, big, -0.0, "é\ud83d\ude00\n\"",
                null, new int[] {1, 2}, Map.of("k", List.of(true)));
        Object echoed = get(shared.process("embed_jobs:echo").args(args.toArray()).start().result());
        assertEquals(Arrays.asList(Double.NaN, Double.NEGATIVE_INFINITY, big, -0.0, "é\ud83d\ude00\n\"",
                null, List.of(1L, 2L), Map.of("k", List.of(true))), echoed);
    }

    @Test
    void childJvmOptionsAreTheHostsChoice() throws Exception {
        PythonProcess p = shared.process("embed_jobs:sleep").args(60).start();
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline")), StandardCharsets.UTF_8);
            assertTrue(cmdline.contains("-Dpolyproc.test.marker=embedded"), cmdline);
            assertThrows(IllegalThreadStateException.class, p::exitValue);
            assertTrue(p.isAlive());
        } finally {
            p.destroy();
        }
        assertEquals(-15, p.onExit().get(1, TimeUnit.MINUTES));
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(p.result()));
        assertEquals(-15, assertInstanceOf(PythonProcessException.class, e.getCause()).exitCode());
    }

    @Test
    void failuresArriveAsPythonProcessException() throws Exception {
        PythonProcess raised = shared.process("embed_jobs:fail").args("bad input").start();
        PythonProcess exited = shared.process("embed_jobs:leave").args(7).start();
        PythonProcess notPlain = shared.process("embed_jobs:not_plain").start();
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(raised.result()));
        PythonProcessException failure = assertInstanceOf(PythonProcessException.class, e.getCause());
        assertEquals(1, failure.exitCode());
        assertEquals("ValueError: bad input", failure.getMessage());
        assertTrue(new String(raised.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).contains("ValueError: bad input"));
        assertEquals(7, exited.waitFor());
        e = assertThrows(ExecutionException.class, () -> get(exited.result()));
        assertEquals(7, ((PythonProcessException) e.getCause()).exitCode());
        e = assertThrows(ExecutionException.class, () -> get(notPlain.result()));
        assertTrue(e.getCause().getMessage().startsWith("the result is not a plain value"), e.getCause().getMessage());
        assertThrows(IllegalArgumentException.class, () -> shared.process("embed_jobs:work").args(new Object()).start());
        assertThrows(IllegalArgumentException.class, () -> shared.process("no_colon"));
    }

    @Test
    void outputOfParentAndChildrenGoesToTheContextsStreams() throws Exception {
        shared.context().eval("python", """
                import multiprocessing, embed_jobs
                print('parent out')
                p = multiprocessing.Process(target=embed_jobs.hello, args=('python',))
                p.start()
                p.join()
                assert p.exitcode == 0, p.exitcode
                """);
        PythonProcess p = shared.process("embed_jobs:hello").args("java").inheritOutput().start();
        assertEquals(0, p.waitFor());
        assertEquals(-1, p.getInputStream().read());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!text(OUT).contains("hello from java") && System.nanoTime() < deadline) {
            Thread.sleep(20); // the copy from the child's pipe runs in a thread
        }
        String out = text(OUT);
        assertTrue(out.contains("parent out\n"), out);
        assertTrue(out.contains("hello from python"), out);
        assertTrue(out.contains("hello from java"), out);
        String err = text(ERR);
        assertTrue(err.contains("error from python"), err);
    }

    @Test
    void severalHostThreadsStartProcessesAtOnce() throws Exception {
        List<CompletableFuture<Object>> results = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CompletableFuture<Object> r = new CompletableFuture<>();
            results.add(r);
            int n = i;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    shared.process("embed_jobs:square").args(n + 2).start().result().whenComplete((v, e) -> {
                        if (e != null) {
                            r.completeExceptionally(e);
                        } else {
                            r.complete(v);
                        }
                    });
                } catch (RuntimeException e) {
                    r.completeExceptionally(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(4L, 9L, 16L), List.of(get(results.get(0)), get(results.get(1)), get(results.get(2))));
        assertEquals(10L, shared.context().eval("python", """
                import multiprocessing, embed_jobs
                with multiprocessing.Pool(2) as pool:
                    result = sum(pool.map(embed_jobs.square, [1, 3]))
                result
                """).asLong());
    }

    @Test
    void closeEndsRunningChildrenAndFreesWhatTheyShared() throws Exception {
        List<Long> before = children();
        PolyprocContext python = PolyprocContext.newBuilder().option("python.PythonPath", JOBS)
                .out(new ByteArrayOutputStream()).err(new ByteArrayOutputStream()).startMethod("spawn").build();
        assertEquals("spawn", python.context().eval("python", "import multiprocessing\nmultiprocessing.get_start_method()").asString());
        PythonProcess fromJava = python.process("embed_jobs:sleep").args(300).start();
        String shmName = python.context().eval("python", """
                import multiprocessing, embed_jobs
                from multiprocessing import shared_memory
                child = multiprocessing.Process(target=embed_jobs.sleep, args=(300,))
                child.start()
                shm = shared_memory.SharedMemory(create=True, size=4096)
                shm.name
                """).asString();
        assertTrue(Files.exists(Path.of("/dev/shm", shmName)));
        List<Long> started = new ArrayList<>(children());
        started.removeAll(before);
        assertTrue(started.size() >= 3, "two children and the resource tracker: " + started);

        PolyprocContext other = PolyprocContext.newBuilder().option("python.PythonPath", JOBS)
                .out(new ByteArrayOutputStream()).err(new ByteArrayOutputStream()).build();
        PythonProcess otherChild = other.process("embed_jobs:sleep").args(300).start();
        try {
            long t0 = System.nanoTime();
            python.close();
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30));
            assertGone(started); // reaped by close(), not merely signalled
            assertFalse(Files.exists(Path.of("/dev/shm", shmName)), "the resource tracker freed the segment");
            assertEquals(-15, fromJava.exitValue());
            assertTrue(otherChild.isAlive(), "another Context's child is its own");
        } finally {
            other.close();
        }
        assertFalse(otherChild.isAlive());
    }

    @Test
    void settingsAChildCannotRebuildAreRefusedAtStart() {
        try (PolyprocContext python = PolyprocContext.newBuilder().option("python.PythonPath", JOBS)
                .customize("a host object in the bindings", b -> { })
                .out(new ByteArrayOutputStream()).err(new ByteArrayOutputStream()).build()) {
            assertEquals(2, python.context().eval("python", "1 + 1").asInt(), "the Context itself works");
            String error = python.context().eval("python", """
                    import multiprocessing, embed_jobs
                    try:
                        multiprocessing.Process(target=embed_jobs.sleep, args=(0,)).start()
                        error = None
                    except RuntimeError as e:
                        error = str(e)
                    error
                    """).asString();
            assertEquals("cannot start a child process: this Context was built with a host object in the bindings, "
                    + "which a child process cannot rebuild", error);
            PolyglotException e = assertThrows(PolyglotException.class, () -> python.process("embed_jobs:square").args(1).start());
            assertTrue(e.getMessage().contains("a host object in the bindings"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> PolyprocContext.newBuilder().allowHostAccess(HostAccess.NONE));
        assertThrows(IllegalArgumentException.class, () -> PolyprocContext.newBuilder().startMethod("fork"));
    }

    @Test
    void childrenExitWhenTheHostIsKilled() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(javaCommand));
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EmbedHost.class.getName(), JOBS));
        Process host = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
            List<Long> pids = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                if (line.startsWith("pid ")) {
                    pids.add(Long.parseLong(line.substring(4)));
                }
            }
            assertTrue(pids.size() >= 3, "children of the host: " + pids);
            host.destroyForcibly();
            assertTrue(host.waitFor(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (long pid : pids) {
                while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            List<String> alive = new ArrayList<>();
            for (long pid : pids) {
                ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(p -> {
                    alive.add(pid + " " + p.info().commandLine().orElse("?"));
                    p.destroyForcibly();
                });
            }
            assertEquals(List.of(), alive, "outlived the host by 2 s");
        } finally {
            host.destroyForcibly();
        }
    }
}
