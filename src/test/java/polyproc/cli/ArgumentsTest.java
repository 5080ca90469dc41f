package polyproc.cli;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** python3's command line, as the polyproc command reads it. */
class ArgumentsTest {
    @Test
    void scriptTakesTheRestAsArgv() throws Exception {
        Arguments.Invocation inv = Arguments.parse(new String[] {"-u", "s.py", "-c", "x"});
        assertEquals("s.py", inv.script());
        assertEquals(List.of("s.py", "-c", "x"), inv.argv());
        assertEquals("true", inv.options().get("python.UnbufferedIO"));
    }

    @Test
    void commandAndModule() throws Exception {
        Arguments.Invocation c = Arguments.parse(new String[] {"-Bc", "print(1)", "a"});
        assertEquals("print(1)\n", c.command());
        assertEquals(List.of("-c", "a"), c.argv());
        assertEquals("true", c.options().get("python.DontWriteBytecodeFlag"));
        Arguments.Invocation m = Arguments.parse(new String[] {"-m", "json.tool", "f"});
        assertEquals("json.tool", m.module());
        assertNull(m.script());
        assertEquals(List.of("-m", "f"), m.argv());
    }

    @Test
    void warningsAndIsolation() throws Exception {
        Arguments.Invocation inv = Arguments.parse(new String[] {"-W", "ignore", "-Wdefault", "-I", "-"});
        assertEquals("ignore\uD83C\uDFC6default", inv.options().get("python.WarnOptions"));
        assertEquals("true", inv.options().get("python.IgnoreEnvironmentFlag"));
        assertEquals("-", inv.script());
    }

    @Test
    void flagsThatSubprocessPassesAreAccepted() throws Exception {
        // subprocess._args_from_interpreter_flags() gives ['-d'] on GraalPy.
        assertEquals("x.py", Arguments.parse(new String[] {"-d", "-bb", "-R", "-OO", "x.py"}).script());
    }

    @Test
    void errorsExitWithTwo() {
        assertEquals(2, assertThrows(Arguments.UsageError.class, () -> Arguments.parse(new String[] {"-z"})).exitCode);
        assertEquals(2, assertThrows(Arguments.UsageError.class, () -> Arguments.parse(new String[] {"-c"})).exitCode);
        assertEquals(0, assertThrows(Arguments.UsageError.class, () -> Arguments.parse(new String[] {"--version"})).exitCode);
    }
}
