package polyproc.embed;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire format of PythonProcess's arguments and result, against what Python's json writes and reads. */
class JsonTest {
    @Test
    void writesPlainValuesAsPythonsJsonReadsThem() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", List.of(1, 2L, (byte) 3, (short) 4));
        map.put("b", null);
        assertEquals("{\"a\":[1,2,3,4],\"b\":null}", Json.write(map));
        assertEquals("[true,\"x\",\"c\",1.5,0.5,12345678901234567890,1.25]",
                Json.write(new Object[] {true, new StringBuilder("x"), 'c', 1.5, 0.5f, new BigInteger("12345678901234567890"), new BigDecimal("1.25")}));
        assertEquals("[1,2]", Json.write(new int[] {1, 2}));
        assertEquals("[NaN,Infinity,-Infinity]", Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)));
        assertEquals("\"q\\\"\\\\\\n\\u0001é\"", Json.write("q\"\\\n\u0001é"));
    }

    @Test
    void refusesWhatIsNotPlain() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(new Object())));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, "int key")));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Thread.State.NEW));
    }

    @Test
    void readsWhatPythonsJsonDumpsWrites() {
        // json.dumps({'value': [1, 2**70, 2.5, -0.0, float('nan'), float('inf'), -float('inf'), None, True, 'é\ud83d\ude00', {}]})
        Object message = Json.parse("{\"value\": [1, 1180591620717411303424, 2.5, -0.0, NaN, Infinity, -Infinity, null, true, "
                + "\"\\u00e9\\ud83d\\ude00\", {}]}");
        List<?> value = (List<?>) ((Map<?, ?>) message).get("value");
        assertEquals(Arrays.asList(1L, BigInteger.TWO.pow(70), 2.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, null, true, "é\ud83d\ude00", Map.of()), value);
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(BigInteger.ONE.shiftLeft(63), Json.parse("9223372036854775808"));
        assertEquals(BigInteger.TEN.pow(4299), Json.parse("1" + "0".repeat(4299)), "Python's default int_max_str_digits");
    }

    @Test
    void badTextIsAnIllegalArgumentException() {
        for (String bad : new String[] {"{\"value\": [1, 2", "[1] 2", "", "{'a': 1}", "nul"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("bad JSON"), e.getMessage());
        }
    }
}
