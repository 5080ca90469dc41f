package polyproc.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void withReplacesOptions() {
        ContextSpec spec = new ContextSpec(Map.of("a", "1", "b", "2"));
        assertEquals(Map.of("a", "1", "b", "3"), spec.with(Map.of("b", "3")).options());
    }
}
