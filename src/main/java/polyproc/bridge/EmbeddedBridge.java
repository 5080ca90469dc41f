package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import polyproc.context.ChildSettings;
import polyproc.launch.ChildStdio;

/** For python/polyproc/embedded.py: a Java host's Context (see {@link ChildSettings#embedded}). */
public final class EmbeddedBridge {
    private final ChildSettings settings;
    private final PopenBridge popen;

    EmbeddedBridge(ChildSettings settings, PopenBridge popen) {
        this.settings = settings;
        this.popen = popen;
    }

    @HostAccess.Export
    public boolean embedded() {
        return settings.embedded();
    }

    /** Whether Python's descriptor {@code fd} (1 or 2) goes to a host's stream (writeOutput). */
    @HostAccess.Export
    public boolean capturesOutput(int fd) {
        return settings.stdio().sink(fd) != null;
    }

    /** Writes what Python's sys.stdout (1) or sys.stderr (2) wrote to the host's stream. */
    @HostAccess.Export
    public void writeOutput(int fd, Value data) {
        ChildStdio.write(settings.stdio().sink(fd), Values.bytes(data));
    }

    /** At the Context's close: the forkserver's idle workers end. */
    @HostAccess.Export
    public void close() {
        popen.close();
    }
}
