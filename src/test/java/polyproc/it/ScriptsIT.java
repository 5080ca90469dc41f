package polyproc.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Python scripts not yet turned into behaviour modules (BehavioursIT): each prints ALL OK when
 * every check in it passed, and stops at the first that fails.
 */
class ScriptsIT {
    /** Runs a script that prints ALL OK when every check in it passed. */
    private static Polyproc.Result runAllOk(String... args) throws Exception {
        Polyproc.Result r = Polyproc.run(args);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ALL OK"), r.toString());
        return r;
    }

    @Test
    void survivorsOfAPeerThatDiesAndSeparatePrograms() throws Exception {
        runAllOk(Polyproc.script("survivors.py").toString(), "forkserver");
    }

    @Test
    void communicationBetweenProcesses() throws Exception {
        runAllOk(Polyproc.script("communication.py").toString());
    }

    /** The resource tracker as CPython's: waited for by the program, deaf to ^C, its final report. */
    @Test
    void resourceTracker() throws Exception {
        Polyproc.Result r = runAllOk(Polyproc.script("resource_tracker.py").toString());
        assertFalse(r.err().contains("Exception in thread"), "nothing throws in Java's threads: " + r);
    }

    /** multiprocessing.Value/Array/RawValue/RawArray: read and written over and over, shared with children. */
    @ParameterizedTest
    @ValueSource(strings = {"forkserver", "spawn"})
    void sharedCtypes(String startMethod) throws Exception {
        runAllOk(Polyproc.script("sharedctypes.py").toString(), startMethod);
    }
}
