package polyproc.it;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pool, ThreadPool and ProcessPoolExecutor: scripts that also pass under python3. */
class PoolsIT {
    private static void runScript(String name) throws Exception {
        Polyproc.Result r = Polyproc.run(Polyproc.script(name).toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ALL OK"), r.toString());
    }

    @Test
    void pool() throws Exception {
        runScript("pool.py");
    }

    @Test
    void processPoolExecutor() throws Exception {
        runScript("futures.py");
    }
}
