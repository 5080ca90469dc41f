package polyproc.supervise;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import polyproc.context.ChildStreams;
import polyproc.internal.posix.Io;
import polyproc.internal.posix.Signals;
import polyproc.launch.ChildStdio;
import polyproc.launch.Spawner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One thread watches every child: reaping, output copies and unsent writes cost no thread per child. */
class SupervisorTest {
    private static ChildProcess chatty(ByteArrayOutputStream out) {
        ChildStreams streams = new ChildStreams(true, out, out);
        return ChildStdio.launch(streams, stdio -> Spawner.spawn(List.of("/bin/sh", "-c", "echo hi; exec cat <&3 >/dev/null"),
                List.of("PATH=/usr/bin:/bin"), null, stdio, new int[0], new byte[0]));
    }

    private static long polyprocThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("polyproc")).count();
    }

    @Test
    void twentyChildrenAliveCostNoThreadsOfTheirOwn() throws Exception {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ChildProcess one = chatty(first);
        // A write too large for the socket's buffer waits in the supervisor until the child reads.
        assertTrue(one.send(new byte[0], new int[0], new byte[1 << 20]));
        long withOne = polyprocThreads();

        List<ChildProcess> children = new ArrayList<>();
        List<ByteArrayOutputStream> outputs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            outputs.add(out);
            ChildProcess child = chatty(out);
            assertTrue(child.send(new byte[0], new int[0], new byte[1 << 20]));
            children.add(child);
        }
        assertEquals(withOne, polyprocThreads(), "polyproc threads with 21 children alive as with 1");

        children.add(one);
        outputs.add(first);
        for (ChildProcess child : children) {
            assertTrue(child.signal(Signals.SIGKILL));
        }
        for (ChildProcess child : children) {
            assertEquals(-9, child.onExit().get(10, TimeUnit.SECONDS), "reaped by the supervisor");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ByteArrayOutputStream out : outputs) {
            while (!out.toString().equals("hi\n")) {
                assertTrue(System.nanoTime() < deadline, "each child's output copied: " + out);
                Thread.sleep(10);
            }
        }
    }

    @Test
    void readToEndHandsOverEverythingOnceTheWritersHaveGone() throws Exception {
        int[] pipe = Io.pipe();
        java.util.concurrent.CompletableFuture<byte[]> got = new java.util.concurrent.CompletableFuture<>();
        Supervisor.readToEnd(pipe[0], got::complete);
        byte[] data = new byte[300_000];
        data[data.length - 1] = 7;
        Thread writer = Thread.ofPlatform().start(() -> {
            Io.writeFully(pipe[1], data);
            Io.close(pipe[1]);
        });
        assertEquals(data.length, got.get(10, TimeUnit.SECONDS).length);
        assertEquals(7, got.get()[data.length - 1]);
        writer.join();
    }
}
