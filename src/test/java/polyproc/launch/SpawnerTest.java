package polyproc.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import polyproc.internal.posix.Errno;
import polyproc.internal.posix.Io;
import polyproc.internal.posix.Poll;
import polyproc.internal.posix.Processes;
import polyproc.internal.posix.Signals;
import polyproc.internal.posix.Sockets;
import polyproc.supervise.ChildProcess;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** posix_spawn, the descriptor layout, the raw wait status and the pidfd sentinel, on /bin/sh. */
class SpawnerTest {
    private static ChildProcess sh(String script, int[] fds, String cwd, byte[] bootstrap) {
        return Spawner.spawn(List.of("/bin/sh", "-c", script), List.of("GREETING=hello", "PATH=/usr/bin:/bin"),
                cwd, Spawner.Stdio.INHERIT, fds, bootstrap);
    }

    private static int exitOf(ChildProcess p) throws Exception {
        return p.onExit().get(10, TimeUnit.SECONDS);
    }

    @Test
    void exitStatusIsReportedAsIs() throws Exception {
        assertEquals(0, exitOf(sh("exit 0", new int[0], null, new byte[0])));
        assertEquals(143, exitOf(sh("exit 143", new int[0], null, new byte[0])));
    }

    @Test
    void deathBySignalIsNegative() throws Exception {
        ChildProcess p = sh("sleep 30", new int[0], null, new byte[0]);
        assertNull(p.poll());
        assertTrue(p.signal(Signals.SIGTERM));
        assertEquals(-15, exitOf(p));
        assertEquals(-15, p.poll());
        assertFalse(p.signal(Signals.SIGKILL), "no signal after the end");
        ChildProcess k = sh("kill -9 $$", new int[0], null, new byte[0]);
        assertEquals(-9, exitOf(k));
    }

    @Test
    void jvmStyleExitAfterTerminateIsDeathBySignal() throws Exception {
        // What a JVM does with SIGTERM before WorkerMain resets it: shutdown, exit(128+15).
        ChildProcess p = sh("trap 'exit 143' TERM; while :; do sleep 0.05; done", new int[0], null,
                new byte[0]);
        Thread.sleep(300);
        assertTrue(p.signal(Signals.SIGTERM));
        assertEquals(-15, exitOf(p));
        assertEquals(143, exitOf(sh("exit 143", new int[0], null, new byte[0])), "unless we sent it");
    }

    /** waitid(P_PID, pid) by hand, as a program's os.waitpid() would: the status, or -errno. */
    private static int reapByHand(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(Processes.SIGINFO_SIZE);
            Errno.Result r = Processes.waitid(1 /* P_PID */, pid, info, Processes.WEXITED);
            return r.failed() ? -r.errno() : info.get(JAVA_INT, Processes.SIGINFO_STATUS);
        }
    }

    @Test
    void helperStartsWithSignalsBlockedAndIsLeftForTheCallerToReap() throws Exception {
        // What the resource tracker needs: SIGINT/SIGTERM sent before it could ignore them do not
        // kill it, and the program may os.waitpid() it, as CPython's programs may.
        ChildProcess p = Spawner.spawnHelper(List.of("/bin/sh", "-c", "kill -INT $$; kill -TERM $$; exit 7"),
                List.of("PATH=/usr/bin:/bin"), null, Spawner.Stdio.INHERIT, new int[0],
                new int[] {Signals.SIGINT, Signals.SIGTERM});
        int sentinel = p.newSentinel();
        try {
            assertTrue((Poll.pollOne(sentinel, Poll.POLLIN, 10_000) & Poll.POLLIN) != 0);
        } finally {
            Io.close(sentinel);
        }
        Thread.sleep(200); // a background reaper, if there were one, would have reaped it by now
        assertEquals(7, reapByHand(p.pid()), "still a zombie for the caller, exit status 7");
        assertNull(p.poll(), "reaped elsewhere: no status, and no exception");
        assertNull(p.onExit().get(1, TimeUnit.SECONDS));
    }

    @Test
    void childReapedBySomethingElseEndsWithoutAnError() throws Exception {
        // A program's os.wait() may reap a child before our reaper thread does; then the status is
        // lost (CPython's Popen.poll() gives None too), and nothing may throw in the reaper.
        List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try {
            for (int i = 0; i < 5; i++) {
                ChildProcess p = sh("sleep 0.1; exit 3", new int[0], null, new byte[0]);
                int byHand = reapByHand(p.pid());
                Integer code = p.onExit().get(10, TimeUnit.SECONDS);
                if (byHand == 3) {
                    assertNull(code, "we reaped it: no status for the reaper");
                } else {
                    assertEquals(-Errno.ECHILD, byHand);
                    assertEquals(3, code);
                }
            }
            Thread.sleep(100);
            assertEquals(List.of(), uncaught);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    @Test
    void sentinelBecomesReadableWhenTheChildEnds() throws Exception {
        ChildProcess p = sh("sleep 0.3", new int[0], null, new byte[0]);
        int sentinel = p.newSentinel();
        try {
            assertEquals(0, Poll.pollOne(sentinel, Poll.POLLIN, 50), "readable while running");
            assertTrue((Poll.pollOne(sentinel, Poll.POLLIN, 5000) & Poll.POLLIN) != 0);
            assertEquals(0, exitOf(p));
        } finally {
            Io.close(sentinel);
        }
        int late = p.newSentinel();
        // select(), what multiprocessing.connection.wait uses, reports a hang-up as readable.
        assertTrue((Poll.pollOne(late, Poll.POLLIN, 0) & (Poll.POLLIN | Poll.POLLHUP)) != 0, "ready after reaping");
        Io.close(late);
    }

    @Test
    void bootstrapSocketIsDescriptorThreeAndPassedDescriptorsFollow(@TempDir Path dir) throws Exception {
        int[] pipe = Io.pipe();
        byte[] big = new byte[300_000]; // larger than a socket buffer: written by a thread
        big[big.length - 1] = 'Z';
        // The parent keeps the socket open while the child lives (its liveness signal): read a count, not to EOF.
        ChildProcess p = sh("head -c " + big.length + " <&3 | wc -c > out.txt; echo \"$GREETING\" >&4; ls /proc/self/fd | sort -n | tr '\\n' ' ' > fds.txt",
                new int[] {pipe[1]}, dir.toString(), big);
        assertEquals(0, exitOf(p));
        Io.close(pipe[1]);
        assertEquals("hello\n", new String(Io.readFully(pipe[0], 6)));
        Io.close(pipe[0]);
        assertEquals(String.valueOf(big.length), Files.readString(dir.resolve("out.txt")).trim());
        // 0-2, the bootstrap socket (3), the passed descriptor (4), and ls's own directory handle.
        String fds = Files.readString(dir.resolve("fds.txt")).trim();
        assertTrue(fds.matches("0 1 2 3 4( \\d+)?"), fds);
    }

    @Test
    void laterMessagesFollowTheBootstrapInOrder(@TempDir Path dir) throws Exception {
        byte[] boot = "boot;".getBytes();
        byte[] big = new byte[500_000];
        java.util.Arrays.fill(big, (byte) 'x');
        big[big.length - 1] = 'Z';
        int total = boot.length + 5 + big.length + 4;
        ChildProcess p = sh("head -c " + total + " <&3 > got.bin", new int[0], dir.toString(), boot);
        assertTrue(p.send("head;".getBytes(), new int[0], big));
        assertTrue(p.send("end;".getBytes(), new int[0], new byte[0]));
        assertEquals(0, exitOf(p));
        byte[] got = Files.readAllBytes(dir.resolve("got.bin"));
        assertEquals(total, got.length);
        assertEquals("boot;head;x", new String(got, 0, 11));
        assertEquals("Zend;", new String(got, got.length - 5, 5));
        assertFalse(p.send("late".getBytes(), new int[0], new byte[0]), "nothing to send to after the end");
    }

    @Test
    void descriptorsTravelOverTheSocket() {
        int[] socket = Sockets.socketPair();
        int[] pipe = Io.pipe();
        try {
            assertEquals(4, Sockets.sendWithFds(socket[0], "task".getBytes(), new int[] {pipe[1], pipe[0]}));
            Io.close(pipe[1]); // the copy in flight keeps the pipe open
            Sockets.Received r = Sockets.receiveWithFds(socket[1], 16, Sockets.MAX_FDS_PER_MESSAGE);
            assertEquals("task", new String(r.data()));
            assertEquals(2, r.fds().length);
            assertTrue(Io.writeFully(r.fds()[0], "through".getBytes()));
            assertEquals("through", new String(Io.readFully(r.fds()[1], 7)));
            for (int fd : r.fds()) {
                Io.close(fd);
            }
            Io.close(socket[0]);
            assertEquals(0, Sockets.receiveWithFds(socket[1], 16, 1).data().length, "end of file");
        } finally {
            Io.close(pipe[0]);
            Io.close(socket[1]);
        }
    }

    @Test
    void standardStreamsGoWhereStdioSays() throws Exception {
        int[] out = Io.pipe();
        int[] err = Io.pipe();
        ChildProcess p;
        try {
            p = Spawner.spawn(List.of("/bin/sh", "-c", "readlink /proc/self/fd/0; echo oops >&2"),
                    List.of("PATH=/usr/bin:/bin"), null, new Spawner.Stdio(true, out[1], err[1]), new int[0], new byte[0]);
        } finally {
            Io.close(out[1]);
            Io.close(err[1]);
        }
        assertEquals(0, exitOf(p));
        assertEquals("/dev/null\n", new String(Io.readSome(out[0], 100)));
        assertEquals("oops\n", new String(Io.readSome(err[0], 100)));
        Io.close(out[0]);
        Io.close(err[0]);
    }

    @Test
    void missingProgramFailsInSpawn() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(polyproc.internal.posix.PosixException.class,
                () -> Spawner.spawn(List.of("/nonexistent/program"), List.of(), null, Spawner.Stdio.INHERIT, new int[0], new byte[0]));
        assertTrue(e.getMessage().contains("/nonexistent/program"));
    }
}
