package polyproc.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineLoadTest {
    /** A thread of this process spinning for 0.5 s: a core's worth of this process's work, counted in the machine's too. */
    @Test
    void countsTheWorkOfOneProcessAndOfTheMachine() {
        MachineLoad load = new MachineLoad();
        long self = ProcessHandle.current().pid();
        load.since(self);
        long end = System.nanoTime() + 500_000_000L;
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
        }
        MachineLoad.Busy busy = load.since(self);
        int cores = Runtime.getRuntime().availableProcessors();
        assertTrue(spins > 0);
        assertTrue(busy.process() >= 0.7 && busy.process() <= cores + 0.2, "this process: " + busy);
        assertTrue(busy.all() >= 0.7, "the machine: " + busy);
        assertEquals(Math.max(0, busy.all() - busy.process()), busy.others(), 1e-9);
    }

    /** Another process than the one sampled before counts from its start; a missing one counts nothing. */
    @Test
    void aProcessThatIsGoneCountsNothing() {
        MachineLoad load = new MachineLoad();
        load.since(-1);
        MachineLoad.Busy busy = load.since(Integer.MAX_VALUE); // no such pid
        assertEquals(0, busy.process());
    }
}
