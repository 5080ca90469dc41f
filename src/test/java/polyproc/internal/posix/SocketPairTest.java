package polyproc.internal.posix;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** socketpair(2) as socket.socketpair() and Pipe(duplex=True) get it, and SCM_RIGHTS over it. */
class SocketPairTest {
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;

    @Test
    void aDescriptorSentOverTheSocketPairReachesTheSamePipe() {
        int[] socket = Sockets.socketPair(AF_UNIX, SOCK_STREAM, 0);
        int[] pipe = Io.pipe();
        try {
            Sockets.sendWithFds(socket[0], new byte[] {1}, new int[] {pipe[1]});
            Sockets.Received received = Sockets.receiveWithFds(socket[1], 1, 1);
            assertArrayEquals(new byte[] {1}, received.data());
            assertEquals(1, received.fds().length);
            int passed = received.fds()[0];
            assertNotEquals(pipe[1], passed);
            Io.writeFully(passed, "through SCM_RIGHTS".getBytes(StandardCharsets.US_ASCII));
            Io.close(passed);
            assertEquals("through SCM_RIGHTS", new String(Io.readFully(pipe[0], 18), StandardCharsets.US_ASCII));
        } finally {
            for (int fd : new int[] {socket[0], socket[1], pipe[0], pipe[1]}) {
                Io.close(fd);
            }
        }
    }

    @Test
    void anInternetSocketPairIsRefusedAsLinuxRefusesIt() {
        PosixException e = assertThrows(PosixException.class, () -> Sockets.socketPair(AF_INET, SOCK_STREAM, 0));
        assertEquals(95, e.errno()); // EOPNOTSUPP: what CPython's socket.socketpair(AF_INET) raises
    }
}
