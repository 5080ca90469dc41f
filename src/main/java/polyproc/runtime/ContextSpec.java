package polyproc.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.graalvm.polyglot.Context;

/**
 * One description of a polyproc Context: the polyglot options it is built with. The parent
 * builds its Context from it and sends it to every child, which builds an identical one, so
 * interpreter options (-u, -B, -E, ...) and the Python path mean the same on both sides.
 */
public final class ContextSpec {
    private final Map<String, String> options;

    public ContextSpec(Map<String, String> options) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    public Map<String, String> options() {
        return options;
    }

    /** A builder for a Context of this description (full host access: this is a Python process). */
    public Context.Builder newBuilder() {
        Context.Builder b = Context.newBuilder("python").allowAllAccess(true);
        options.forEach(b::option);
        return b;
    }

    /** This description with some options replaced. */
    public ContextSpec with(Map<String, String> changes) {
        Map<String, String> m = new LinkedHashMap<>(options);
        m.putAll(changes);
        return new ContextSpec(m);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(options.size());
            for (Map.Entry<String, String> e : options.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ContextSpec fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int n = in.readInt();
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                m.put(readString(in), readString(in));
            }
            return new ContextSpec(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContextSpec other && other.options.equals(options);
    }

    @Override
    public int hashCode() {
        return options.hashCode();
    }
}
