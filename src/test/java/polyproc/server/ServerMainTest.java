package polyproc.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import polyproc.protocol.ServerProtocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which commands a booted worker can run as the command would, and which folders the server trusts. */
class ServerMainTest {
    private static final Map<String, String> SERVER_ENV = Map.of("HOME", "/home/u", "LANG", "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE", "1");
    private static final List<String> SAME_ENV = List.of("HOME=/home/u", "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1",
            "ANYTHING=else");

    private static String why(List<String> argv, List<String> env) {
        return ServerMain.whyNotServed(new ServerProtocol.Request(ServerProtocol.Kind.RUN, argv, env, "/", 022, 0,
                0, List.of()), SERVER_ENV);
    }

    @Test
    void scriptsCommandsAndModulesWithoutOptionsAreServed() {
        assertNull(why(List.of("script.py", "-u", "arg"), SAME_ENV)); // -u after the script is the script's
        assertNull(why(List.of("-c", "pass"), SAME_ENV));
        assertNull(why(List.of("-m", "json.tool"), SAME_ENV));
    }

    @Test
    void interpreterOptionsStdinAndTheReplRunDirectly() {
        assertEquals("interpreter options", why(List.of("-u", "script.py"), SAME_ENV));
        assertEquals("interpreter options", why(List.of("-W", "ignore", "-c", "pass"), SAME_ENV));
        assertEquals("stdin or interactive", why(List.of(), SAME_ENV));
        assertEquals("stdin or interactive", why(List.of("-"), SAME_ENV));
        assertEquals("usage", why(List.of("--version"), SAME_ENV));
    }

    @Test
    void variablesReadAtBootMustBeTheServers() {
        assertTrue(why(List.of("-c", "pass"), List.of("HOME=/home/u", "LANG=C.UTF-8")).startsWith("PYTHONDONTWRITEBYTECODE"));
        assertTrue(why(List.of("-c", "pass"), List.of("HOME=/home/u", "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1",
                "PYTHONPATH=/x")).startsWith("PYTHONPATH"));
        assertTrue(why(List.of("-c", "pass"), List.of("HOME=/other", "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1"))
                .startsWith("HOME"));
        assertTrue(why(List.of("-c", "pass"), List.of("HOME=/home/u", "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1",
                "JAVA_TOOL_OPTIONS=-Xmx1g")).startsWith("JAVA_TOOL_OPTIONS"));
    }

    @Test
    void onlyAPrivateFolderOfThisUserIsTrusted(@TempDir Path dir) throws Exception {
        Path mine = Files.createDirectory(dir.resolve("mine"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        assertNull(ServerMain.whyNotPrivate(mine));
        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertTrue(ServerMain.whyNotPrivate(mine).contains("open to other users"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), mine);
        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwx------"));
        assertTrue(ServerMain.whyNotPrivate(link).contains("not a folder"));
        assertNotNull(ServerMain.whyNotPrivate(dir.resolve("missing")));
    }

    @Test
    void idleWorkersAreBoundedByAvailableMemory() {
        assertEquals(1, ProgramWorkers.maxIdle(1L << 30));
        assertEquals(5, ProgramWorkers.maxIdle(8L << 30));
        assertEquals(ProgramWorkers.MAX_IDLE, ProgramWorkers.maxIdle(1L << 40));
    }
}
