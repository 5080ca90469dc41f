package polyproc.internal.posix;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** F_SETPIPE_SZ, which multiprocessing's one-way pipes get (python/polyproc/context.py). */
class PipeCapacityTest {
    @Test
    void aRaisedPipeHolds256KiBWithNobodyReading() throws Exception {
        int[] pipe = Io.pipe();
        CountDownLatch written = new CountDownLatch(1);
        // Should the capacity stay at 64 KiB, the write below would block: the watchdog then
        // closes the read end, the write fails with EPIPE and the test fails instead of hanging.
        Thread watchdog = new Thread(() -> {
            try {
                if (!written.await(10, TimeUnit.SECONDS)) {
                    Io.close(pipe[0]);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Io.close(pipe[0]);
        });
        watchdog.start();
        try {
            assertEquals(256 << 10, Io.setPipeSize(pipe[1], 256 << 10).value());
            assertTrue(Io.writeFully(pipe[1], new byte[256 << 10]), "256 KiB written with no reader");
        } finally {
            written.countDown();
            watchdog.join();
            Io.close(pipe[1]);
        }
    }
}
