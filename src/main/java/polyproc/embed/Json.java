package polyproc.embed;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/**
 * The JSON that carries a {@link PythonProcess}'s arguments and result (Python's json module on
 * the other side). Plain values only; anything else is an IllegalArgumentException.
 *
 * <p>jackson-core's streaming API reads and writes the text; the walks here fix the types, as
 * {@link PythonProcess} documents them. Why not a data binder (Gson, jackson-jr): they write any
 * other object as a bean ({@code {}} for {@code new Object()}) where we must refuse it, read small
 * integers as Integer, and Gson cannot tell Python's bare {@code NaN}/{@code Infinity} (json.dumps
 * writes them, allow_nan is its default) from the strings "NaN"/"Infinity".
 */
final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // NaN, Infinity, -Infinity both ways, as json.dumps/loads
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            // A result is as large as the function made it; Python's int has up to 4300 digits
            // by default (sys.get_int_max_str_digits()), jackson's limit is 1000.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE).maxNumberLength(Integer.MAX_VALUE).build())
            .build();

    private Json() {}

    static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(value, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void write(Object value, JsonGenerator g) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Boolean b -> g.writeBoolean(b);
            case Float f -> g.writeNumber(f.doubleValue()); // the float's exact value, as Python's float holds it
            case Byte n -> g.writeNumber(n);
            case Short n -> g.writeNumber(n);
            case Integer n -> g.writeNumber(n);
            case Long n -> g.writeNumber(n);
            case Double n -> g.writeNumber(n);
            case BigInteger n -> g.writeNumber(n);
            case BigDecimal n -> g.writeNumber(n);
            case CharSequence s -> g.writeString(s.toString());
            case Character c -> g.writeString(c.toString());
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("map keys must be strings, not " + e.getKey());
                    }
                    g.writeFieldName(key);
                    write(e.getValue(), g);
                }
                g.writeEndObject();
            }
            case Collection<?> c -> {
                g.writeStartArray();
                for (Object item : c) {
                    write(item, g);
                }
                g.writeEndArray();
            }
            default -> {
                if (!value.getClass().isArray()) {
                    throw new IllegalArgumentException("not a plain value (null, boolean, number, string, "
                            + "list, array or map): " + value.getClass().getName());
                }
                g.writeStartArray();
                for (int i = 0; i < Array.getLength(value); i++) {
                    write(Array.get(value, i), g);
                }
                g.writeEndArray();
            }
        }
    }

    /** One JSON value: null, Boolean, Long, BigInteger, Double, String, List or Map. */
    static Object parse(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            Object value = read(p, p.nextToken());
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("bad JSON: trailing characters at " + p.currentLocation().getCharOffset());
            }
            return value;
        } catch (IOException e) { // a JsonProcessingException: the text is not JSON
            throw new IllegalArgumentException("bad JSON: " + e.getMessage(), e);
        }
    }

    private static Object read(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    map.put(key, read(p, p.nextToken()));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    list.add(read(p, t));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case null -> throw new IllegalArgumentException("bad JSON: no value");
            default -> throw new IllegalArgumentException("bad JSON: unexpected " + token);
        };
    }
}
