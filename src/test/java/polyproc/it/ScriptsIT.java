package polyproc.it;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Python scripts not yet turned into behaviour modules (BehavioursIT): each prints ALL OK when
 * every check in it passed, and stops at the first that fails.
 */
class ScriptsIT {
    /** Runs a script that prints ALL OK when every check in it passed. */
    private static void runAllOk(String... args) throws Exception {
        Polyproc.Result r = Polyproc.run(args);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ALL OK"), r.toString());
    }

    @Test
    void forkserverWorkers() throws Exception {
        runAllOk(Polyproc.script("forkserver.py").toString());
    }

    @Test
    void forkserverGrowsWithDemand() throws Exception {
        runAllOk(Polyproc.script("forkserver_growth.py").toString());
    }
}
