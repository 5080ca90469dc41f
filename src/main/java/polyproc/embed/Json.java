package polyproc.embed;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON that carries a {@link PythonProcess}'s arguments and result (Python's json module on
 * the other side). Plain values only; anything else is an IllegalArgumentException.
 */
final class Json {
    private Json() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b);
            case Double d when d.isNaN() || d.isInfinite() -> out.append(d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            case Float f -> write(f.doubleValue(), out);
            case Byte n -> out.append(n);
            case Short n -> out.append(n);
            case Integer n -> out.append(n);
            case Long n -> out.append(n);
            case Double n -> out.append(n);
            case BigInteger n -> out.append(n);
            case BigDecimal n -> out.append(n);
            case CharSequence s -> writeString(s.toString(), out);
            case Character c -> writeString(c.toString(), out);
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("map keys must be strings, not " + e.getKey());
                    }
                    out.append(first ? "" : ",");
                    first = false;
                    writeString(key, out);
                    out.append(':');
                    write(e.getValue(), out);
                }
                out.append('}');
            }
            case Collection<?> c -> {
                out.append('[');
                boolean first = true;
                for (Object item : c) {
                    out.append(first ? "" : ",");
                    first = false;
                    write(item, out);
                }
                out.append(']');
            }
            default -> {
                if (!value.getClass().isArray()) {
                    throw new IllegalArgumentException("not a plain value (null, boolean, number, string, "
                            + "list, array or map): " + value.getClass().getName());
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < Array.getLength(value); i++) {
                    items.add(Array.get(value, i));
                }
                write(items, out);
            }
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    static Object parse(String text) {
        Parser p = new Parser(text);
        Object value = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("trailing characters");
        }
        return value;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("bad JSON at " + pos + ": " + what);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean take(String word) {
            if (s.startsWith(word, pos)) {
                pos += word.length();
                return true;
            }
            return false;
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            if (c == '{') {
                pos++;
                Map<String, Object> map = new LinkedHashMap<>();
                skipSpace();
                if (take("}")) {
                    return map;
                }
                do {
                    skipSpace();
                    String key = string();
                    skipSpace();
                    if (!take(":")) {
                        throw error("':' expected");
                    }
                    map.put(key, value());
                    skipSpace();
                } while (take(","));
                if (!take("}")) {
                    throw error("'}' expected");
                }
                return map;
            }
            if (c == '[') {
                pos++;
                List<Object> list = new ArrayList<>();
                skipSpace();
                if (take("]")) {
                    return list;
                }
                do {
                    list.add(value());
                    skipSpace();
                } while (take(","));
                if (!take("]")) {
                    throw error("']' expected");
                }
                return list;
            }
            if (c == '"') {
                return string();
            }
            if (take("null")) {
                return null;
            }
            if (take("true")) {
                return Boolean.TRUE;
            }
            if (take("false")) {
                return Boolean.FALSE;
            }
            if (take("NaN")) {
                return Double.NaN;
            }
            if (take("Infinity")) {
                return Double.POSITIVE_INFINITY;
            }
            if (take("-Infinity")) {
                return Double.NEGATIVE_INFINITY;
            }
            return number();
        }

        String string() {
            if (!take("\"")) {
                throw error("string expected");
            }
            StringBuilder out = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e);
                }
            }
            throw error("unterminated string");
        }

        Object number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String n = s.substring(start, pos);
            if (n.isEmpty()) {
                throw error("value expected");
            }
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                return Double.parseDouble(n);
            }
            BigInteger big = new BigInteger(n);
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
    }
}
