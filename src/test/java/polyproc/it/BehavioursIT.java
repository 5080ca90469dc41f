package polyproc.it;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Python-level behaviours (unittest modules under src/it/python), each reported by name:
 * one program per start method runs every module, through the launcher as a user would.
 * What only the outside can see (the program's output, counted) is checked here too.
 */
class BehavioursIT {
    /** Behaviours that hold under every start method. */
    static final String[] COMMON = {"test_process_api", "test_exit_codes", "test_locks", "test_install",
            "test_pool", "test_futures", "test_communication", "test_sharedctypes", "test_resource_tracker",
            "test_managers"};
    /**
     * Behaviours of the forkserver itself, each module in a program of its own: the server
     * starts at a program's first start() and keeps the environment, preload list and idle
     * count of that moment, which each of these sets or counts from the start.
     */
    static final String[] FORKSERVER_ONLY = {"test_forkserver", "test_forkserver_growth"};
    /** The program runs with an interpreter option that a child must inherit. */
    static final List<String> OPTIONS = List.of("-W", "ignore::DeprecationWarning");

    @TestFactory
    Stream<DynamicNode> forkserver() throws Exception {
        List<DynamicNode> nodes = new ArrayList<>(underStartMethod("forkserver").toList());
        for (String module : FORKSERVER_ONLY) {
            Behaviours.Run run = Behaviours.run("forkserver", OPTIONS, module);
            nodes.add(DynamicContainer.dynamicContainer(module + " (a program of its own) [forkserver]",
                    Stream.concat(Behaviours.tests(run), Stream.of(Behaviours.programEndsAsItsResultsSay(run)))));
        }
        return nodes.stream();
    }

    @TestFactory
    Stream<DynamicNode> spawn() throws Exception {
        return underStartMethod("spawn");
    }

    /**
     * The same behaviours in a program run by the polyproc server (without interpreter options:
     * a command with them runs directly), whose forkserver children are the server's workers
     * when it has them ready, else booted by the program.
     */
    @TestFactory
    Stream<DynamicNode> forkserverServed() throws Exception {
        Behaviours.Run run = Behaviours.run("forkserver", List.of(), Polyproc.Server.ON, COMMON);
        return Stream.concat(checks(run), Stream.of(DynamicTest.dynamicTest("the program ran in a server's worker", () ->
                assertTrue(run.program().err().contains("run_behaviours: served by a polyproc server"),
                        run.program().toString()))));
    }

    private static Stream<DynamicNode> underStartMethod(String method) throws Exception {
        return checks(Behaviours.run(method, OPTIONS, COMMON));
    }

    private static Stream<DynamicNode> checks(Behaviours.Run run) {
        return Stream.concat(Behaviours.tests(run), Stream.of(
                Behaviours.programEndsAsItsResultsSay(run),
                childOutputArrivesOnce(run),
                nothingThrowsInJavasThreads(run),
                poolWorkersLogRecordReachesStderr(run)));
    }

    /** test_exit_codes' children write these; each must reach the program's streams once. */
    private static DynamicTest childOutputArrivesOnce(Behaviours.Run run) {
        return DynamicTest.dynamicTest("children's stdout and stderr reach the program's, once each", () -> {
            Polyproc.Result r = run.program();
            assertEquals(1, r.count(r.out(), "child-stdout-line"), "unflushed stdout: " + r);
            assertEquals(1, r.count(r.err(), "child-stderr-line"), "unflushed stderr: " + r);
            assertEquals(1, r.count(r.err(), "ValueError: boom from child"), "an uncaught exception: " + r);
            assertTrue(r.err().contains("Traceback (most recent call last):"), r.toString());
            assertEquals(1, r.count(r.err(), "text for stderr"), "sys.exit(text): " + r);
            assertEquals(1, r.count(r.err(), "KeyboardInterrupt"), "SIGINT: " + r);
            // A spawn child runs its atexit handlers; a forkserver child ends with os._exit().
            assertEquals(run.method().equals("spawn") ? 1 : 0, r.count(r.out(), "child-atexit-line"), r.toString());
        });
    }

    /** No uncaught exception in a Java thread of the program (the resource tracker's, the reaper's, ...). */
    private static DynamicTest nothingThrowsInJavasThreads(Behaviours.Run run) {
        return DynamicTest.dynamicTest("nothing throws in Java's threads", () -> {
            Polyproc.Result r = run.program();
            assertFalse(r.err().contains("Exception in thread"), r.toString());
            assertFalse(r.err().contains("polyproc: supervisor:"), "a watch of the supervisor failed: " + r);
        });
    }

    /** test_managers' LoggingTest: after log_to_stderr(), a pool worker's record reaches the program's stderr. */
    private static DynamicTest poolWorkersLogRecordReachesStderr(Behaviours.Run run) {
        return DynamicTest.dynamicTest("a pool worker's log record reaches the program's stderr after log_to_stderr()", () -> {
            Polyproc.Result r = run.program();
            assertTrue(r.err().contains("worker log line 5"), r.toString());
        });
    }
}
