package polyproc.protocol;

import java.nio.ByteBuffer;
import java.util.Map;

import org.junit.jupiter.api.Test;

import polyproc.context.ContextSpec;
import polyproc.launch.WorkerLauncher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The boot message a worker reads from its bootstrap socket. */
class BootstrapTest {
    private static Bootstrap.Boot roundTrip(Bootstrap.Boot boot) {
        ByteBuffer message = ByteBuffer.wrap(Bootstrap.bootMessage(boot));
        return Bootstrap.readBoot(n -> {
            byte[] b = new byte[n];
            message.get(b);
            return b;
        });
    }

    @Test
    void bootMessageCarriesModeSpecAndPreparation() {
        ContextSpec spec = new ContextSpec(Map.of("python.PythonPath", "/a:/b"));
        Bootstrap.Boot fork = new Bootstrap.Boot(Bootstrap.Mode.FORKSERVER, spec, "{\"preload\": [\"é\"]}");
        assertEquals(fork, roundTrip(fork));
        Bootstrap.Boot spawn = new Bootstrap.Boot(Bootstrap.Mode.SPAWN, spec, "");
        assertEquals(spawn, roundTrip(spawn));
    }

    @Test
    void anotherBuildsMessageIsRefused() {
        byte[] message = Bootstrap.bootMessage(new Bootstrap.Boot(Bootstrap.Mode.SPAWN, new ContextSpec(Map.of()), ""));
        message[3] ^= 1; // another protocol version
        ByteBuffer in = ByteBuffer.wrap(message);
        assertThrows(IllegalStateException.class, () -> Bootstrap.readBoot(n -> {
            byte[] b = new byte[n];
            in.get(b);
            return b;
        }));
    }

    @Test
    void aTaskCarriesAtMostOneMessageOfDescriptors() {
        assertEquals(8, Bootstrap.taskHead(Bootstrap.MAX_TASK_FDS).length);
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.taskHead(Bootstrap.MAX_TASK_FDS + 1));
    }

    @Test
    void workerMainIsWhereLaunchLooksForIt() throws Exception {
        assertEquals(WorkerLauncher.WORKER_MAIN, Class.forName(WorkerLauncher.WORKER_MAIN).getName());
    }
}
