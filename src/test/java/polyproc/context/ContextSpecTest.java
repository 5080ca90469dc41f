package polyproc.context;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextSpecTest {
    @Test
    void survivesTheTripToAChild() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("python.PosixModuleBackend", "native");
        options.put("python.WarnOptions", "ignore\uD83C\uDFC6default");
        options.put("python.PythonPath", "/a/ü/b");
        ContextSpec spec = new ContextSpec(options);
        ContextSpec copy = ContextSpec.fromBytes(spec.toBytes());
        assertEquals(spec, copy);
        assertEquals(options.keySet().stream().toList(), copy.options().keySet().stream().toList());
    }

    @Test
    void accessSurvivesTheTrip() {
        ContextSpec spec = new ContextSpec(Map.of("a", "1"), Map.of("hostAccess", "EXPLICIT", "environmentAccess", "NONE"));
        ContextSpec copy = ContextSpec.fromBytes(spec.toBytes());
        assertEquals(spec.access(), copy.access());
        assertEquals(spec, copy);
    }

    @Test
    void environmentAccessIsReadOnce() {
        assertTrue(new ContextSpec(Map.of()).pythonSeesEnvironment());
        assertFalse(new ContextSpec(Map.of(), Map.of(ContextSpec.ALL_ACCESS, "false")).pythonSeesEnvironment());
        assertTrue(new ContextSpec(Map.of(), Map.of(ContextSpec.ALL_ACCESS, "false", "environmentAccess", "INHERIT")).pythonSeesEnvironment());
        assertFalse(new ContextSpec(Map.of(), Map.of(ContextSpec.ALL_ACCESS, "true", "environmentAccess", "NONE")).pythonSeesEnvironment());
    }

    @Test
    void withReplacesOptions() {
        ContextSpec spec = new ContextSpec(Map.of("a", "1", "b", "2"));
        assertEquals(Map.of("a", "1", "b", "3"), spec.with(Map.of("b", "3")).options());
    }
}
