package polyproc.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import polyproc.internal.posix.ProcessAttributes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request a command's client sends the polyproc server: what arrives, and what is refused. */
class ServerProtocolTest {
    private static final ServerProtocol.Request RUN = new ServerProtocol.Request(ServerProtocol.Kind.RUN,
            List.of("-c", "print('é')"), List.of("HOME=/home/u", "EMPTY="), "/tmp/dir", 022, 5, 1L << 1 | 1L << 2,
            List.of(new ProcessAttributes.Limit(7, 1024, 4096), new ProcessAttributes.Limit(3, -1, -1)));

    private static byte[] body(byte[] message) throws ServerProtocol.BadRequest {
        int length = ServerProtocol.length(Arrays.copyOf(message, 4));
        assertEquals(message.length - 4, length);
        return Arrays.copyOfRange(message, 4, message.length);
    }

    @Test
    void aRequestArrivesWhole() throws Exception {
        assertEquals(RUN, ServerProtocol.parse(body(ServerProtocol.encode(RUN))));
    }

    @Test
    void statusAndStopCarryNothingElse() throws Exception {
        ServerProtocol.Request stop = new ServerProtocol.Request(ServerProtocol.Kind.STOP, List.of(), List.of(), "/", 0, 0, 0, List.of());
        assertEquals(ServerProtocol.Kind.STOP, ServerProtocol.parse(body(ServerProtocol.encode(stop))).kind());
    }

    @Test
    void truncatedGarbledOrOversizedRequestsAreRefusedWithAReason() throws Exception {
        byte[] body = body(ServerProtocol.encode(RUN));
        for (int cut : new int[] {0, 3, 8, 20, body.length - 1}) {
            assertThrows(ServerProtocol.BadRequest.class, () -> ServerProtocol.parse(Arrays.copyOf(body, cut)), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        assertTrue(assertThrows(ServerProtocol.BadRequest.class, () -> ServerProtocol.parse(longer)).getMessage().contains("after"));
        byte[] garbled = body.clone();
        garbled[0] ^= 1;
        assertThrows(ServerProtocol.BadRequest.class, () -> ServerProtocol.parse(garbled));
        byte[] hugeCount = body.clone();
        ByteBuffer.wrap(hugeCount).order(ByteOrder.nativeOrder()).putInt(8, Integer.MAX_VALUE); // argc
        assertThrows(ServerProtocol.BadRequest.class, () -> ServerProtocol.parse(hugeCount));
        byte[] kind = body.clone();
        ByteBuffer.wrap(kind).order(ByteOrder.nativeOrder()).putInt(4, 99);
        assertThrows(ServerProtocol.BadRequest.class, () -> ServerProtocol.parse(kind));
        byte[] head = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(ServerProtocol.MAX_REQUEST_BYTES + 1).array();
        assertThrows(ServerProtocol.BadRequest.class, () -> ServerProtocol.length(head));
    }
}
