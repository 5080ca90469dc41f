package polyproc.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No child outlives its program: not after a normal exit, not after SIGKILL. With the server off:
 * these are the program's own forkserver's idle workers (a served program keeps none; ServerIT
 * covers a killed served command).
 */
class OrphanIT {
    /** The pids orphans.py prints before READY; at least {@code atLeast} of them. */
    private static List<Long> readPids(BufferedReader out, int atLeast) throws Exception {
        List<Long> pids = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.equals("READY")) {
            lines.add(line);
            if (line.startsWith("pid ")) {
                pids.add(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        if (line == null || pids.size() < atLeast) {
            throw new AssertionError("expected " + atLeast + " pids and READY, got " + lines);
        }
        return pids;
    }

    private static void assertAllGone(List<Long> pids, long withinMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                if (System.nanoTime() > deadline) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    throw new AssertionError("process " + pid + " outlived its parent by " + withinMillis + " ms");
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void childrenAndGrandchildrenExitWhenTheParentIsKilled() throws Exception {
        Process parent = Polyproc.builder(Polyproc.serverFolder(), Polyproc.Server.OFF,
                List.of(Polyproc.script("orphans.py").toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            // daemon, child, grandchild, an idle worker of the parent and one of the child
            List<Long> pids = readPids(out, 5);
            for (long pid : pids) {
                assertTrue(ProcessHandle.of(pid).isPresent(), "child " + pid + " runs");
            }
            parent.destroyForcibly(); // SIGKILL: nothing in the parent can clean up
            assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
            // Measured here: all gone within ~1 s; the second generation needs two hang-ups in a
            // row, and a worker JVM still booting notices only once its main() runs.
            assertAllGone(pids, 3000);
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void daemonicChildIsTerminatedAtExit() throws Exception {
        Process parent = Polyproc.builder(Polyproc.serverFolder(), Polyproc.Server.OFF,
                List.of(Polyproc.script("orphans.py").toString(), "exit"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            List<Long> pids = readPids(out, 2); // the daemon, an idle worker
            assertEquals("daemon exitcode at exit -15", out.readLine());
            assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, parent.exitValue());
            assertAllGone(pids, 2000);
            assertFalse(ProcessHandle.of(pids.get(0)).isPresent());
        } finally {
            parent.destroyForcibly();
        }
    }
}
