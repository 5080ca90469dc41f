package polyproc.it;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Managers: a script that also passes under python3 (Pool, ThreadPool, ProcessPoolExecutor: BehavioursIT). */
class PoolsIT {
    private static Polyproc.Result runScript(String name) throws Exception {
        Polyproc.Result r = Polyproc.run(Polyproc.script(name).toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ALL OK"), r.toString());
        return r;
    }

    @Test
    void managers() throws Exception {
        Polyproc.Result r = runScript("managers.py");
        // log_to_stderr(): a worker's record reaches the parent's stderr.
        assertTrue(r.err().contains("worker log line 5"), r.toString());
    }
}
