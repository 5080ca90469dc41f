package polyproc.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class JvmCommandTest {
    private static final List<String> PARENT = List.of("-XX:+UseSerialGC", "-Xms16m", "-agentlib:jdwp=transport=dt_socket", "-Dx=1");

    @Test
    void childTakesTheParentsOptionsButItsDebugger() {
        assertEquals(List.of("-XX:+UseSerialGC", "-Xms16m", "-Dx=1"),
                JvmCommand.inherited(PARENT, JvmCommand.childOnly(List.of(), "-Xmx512m")));
    }

    @Test
    void aCollectorChosenForChildrenReplacesTheParents() {
        List<String> childOnly = JvmCommand.childOnly(List.of("-Xmx1g"), " -XX:+UseG1GC  -Dy=2 ");
        assertEquals(List.of("-Xmx1g", "-XX:+UseG1GC", "-Dy=2"), childOnly);
        assertEquals(List.of("-Xms16m", "-Dx=1"), JvmCommand.inherited(PARENT, childOnly));
    }

    @Test
    void anOptionOfACollectorIsNotACollector() {
        List<String> childOnly = JvmCommand.childOnly(List.of(), "-XX:+UseMaximumCompactionOnSystemGC");
        assertEquals(List.of("-XX:+UseSerialGC", "-Xms16m", "-Dx=1"), JvmCommand.inherited(PARENT, childOnly));
    }
}
