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
    private static Polyproc.Result runAllOk(String... args) throws Exception {
        Polyproc.Result r = Polyproc.run(args);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ALL OK"), r.toString());
        return r;
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

}
