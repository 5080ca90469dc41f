package polyproc.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Python scripts that check multiprocessing.Process behaviour from the inside, run through the launcher. */
class ScriptsIT {
    /** Runs a script that prints ALL OK when every check in it passed. */
    private static Polyproc.Result runAllOk(String... args) throws Exception {
        Polyproc.Result r = Polyproc.run(args);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ALL OK"), r.toString());
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"forkserver", "spawn"})
    void processApi(String startMethod) throws Exception {
        runAllOk("-W", "ignore::DeprecationWarning", Polyproc.script("process_api.py").toString(), startMethod);
    }

    @ParameterizedTest
    @ValueSource(strings = {"forkserver", "spawn"})
    void exitCodesAndOutput(String startMethod) throws Exception {
        Polyproc.Result r = runAllOk(Polyproc.script("exit_codes.py").toString(), startMethod);
        // Output a child never flushed arrives, once; so do a traceback and a sys.exit text.
        assertEquals(1, r.count(r.out(), "child-stdout-line"), r.toString());
        assertEquals(1, r.count(r.err(), "child-stderr-line"), r.toString());
        assertEquals(1, r.count(r.err(), "ValueError: boom from child"), r.toString());
        assertTrue(r.err().contains("Traceback (most recent call last):"), r.toString());
        assertEquals(1, r.count(r.err(), "text for stderr"), r.toString());
        assertEquals(1, r.count(r.err(), "KeyboardInterrupt"), r.toString());
        assertEquals(startMethod.equals("spawn") ? 1 : 0, r.count(r.out(), "child-atexit-line"), r.toString());
    }

    @Test
    void forkserverWorkers() throws Exception {
        runAllOk(Polyproc.script("forkserver.py").toString());
    }

    @Test
    void forkserverGrowsWithDemand() throws Exception {
        runAllOk(Polyproc.script("forkserver_growth.py").toString());
    }

    @Test
    void survivorsOfAPeerThatDiesAndSeparatePrograms() throws Exception {
        runAllOk(Polyproc.script("survivors.py").toString(), "forkserver");
    }

    @Test
    void communicationBetweenProcesses() throws Exception {
        runAllOk(Polyproc.script("communication.py").toString());
    }

    /** Lock, RLock, Semaphore and the rest on polyproc's SemLock, within one process. */
    @Test
    void lockSemantics() throws Exception {
        runAllOk(Polyproc.script("locks.py").toString());
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
