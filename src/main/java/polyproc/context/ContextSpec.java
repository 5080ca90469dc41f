package polyproc.context;

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
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.io.IOAccess;

/**
 * One description of a polyproc Context: the polyglot options it is built with and the access
 * it grants. The parent builds its Context from it and sends it to every child, which builds an
 * identical one, so interpreter options (-u, -B, -E, ...), the Python path and what the code may
 * touch mean the same on both sides. Only what can be written down travels: a Java host's own
 * objects (a FileSystem, bindings) cannot, and polyproc.embed refuses to start children then.
 *
 * <p>Access, by name: {@value #ALL_ACCESS} (the {@code polyproc} command: a Python process may
 * do anything), or {@code hostAccess} (ALL, EXPLICIT or NONE: HostAccess's constants),
 * {@code environmentAccess} (INHERIT or NONE) and {@code experimentalOptions} (true/false).
 * Every polyproc Context may use native code, I/O and threads: multiprocessing needs them.
 */
public final class ContextSpec {
    public static final String ALL_ACCESS = "allowAllAccess";

    private final Map<String, String> options;
    private final Map<String, String> access;

    /** A Context with these options and all access. */
    public ContextSpec(Map<String, String> options) {
        this(options, Map.of(ALL_ACCESS, "true"));
    }

    public ContextSpec(Map<String, String> options, Map<String, String> access) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.access = Collections.unmodifiableMap(new LinkedHashMap<>(access));
    }

    public Map<String, String> options() {
        return options;
    }

    public Map<String, String> access() {
        return access;
    }

    /** A builder for a Context of this description. */
    public Context.Builder newBuilder() {
        Context.Builder b = Context.newBuilder("python");
        if (Boolean.parseBoolean(access.get(ALL_ACCESS))) {
            b.allowAllAccess(true);
        } else {
            b.allowNativeAccess(true).allowIO(IOAccess.ALL).allowCreateThread(true);
        }
        String host = access.get("hostAccess");
        if (host != null) {
            b.allowHostAccess(switch (host) {
                case "ALL" -> HostAccess.ALL;
                case "NONE" -> HostAccess.NONE;
                default -> HostAccess.EXPLICIT;
            });
        }
        if (access.containsKey("environmentAccess")) {
            b.allowEnvironmentAccess(pythonSeesEnvironment() ? EnvironmentAccess.INHERIT : EnvironmentAccess.NONE);
        }
        if (access.containsKey("experimentalOptions")) {
            b.allowExperimentalOptions(Boolean.parseBoolean(access.get("experimentalOptions")));
        }
        options.forEach(b::option);
        return b;
    }

    /** Whether os.environ in such a Context is the process's environment (else it is empty). */
    public boolean pythonSeesEnvironment() {
        String env = access.get("environmentAccess");
        return env != null ? !"NONE".equals(env) : Boolean.parseBoolean(access.get(ALL_ACCESS));
    }

    /** This description with some options replaced. */
    public ContextSpec with(Map<String, String> changes) {
        Map<String, String> m = new LinkedHashMap<>(options);
        m.putAll(changes);
        return new ContextSpec(m, access);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeMap(out, options);
            writeMap(out, access);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ContextSpec fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            Map<String, String> options = readMap(in);
            return new ContextSpec(options, readMap(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    private static Map<String, String> readMap(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(readString(in), readString(in));
        }
        return m;
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
        return o instanceof ContextSpec other && other.options.equals(options) && other.access.equals(access);
    }

    @Override
    public int hashCode() {
        return options.hashCode() * 31 + access.hashCode();
    }
}
