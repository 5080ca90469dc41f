package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;

import polyproc.context.ChildSettings;
import polyproc.internal.posix.Errno;
import polyproc.internal.posix.Io;

/** For python/polyproc/context.py: the start methods and their pipes. */
public final class ContextBridge {
    private final ChildSettings settings;
    private final PythonErrors errors;

    ContextBridge(ChildSettings settings, PythonErrors errors) {
        this.settings = settings;
        this.errors = errors;
    }

    /** The start method of multiprocessing's default context, or null for polyproc's default. */
    @HostAccess.Export
    public String defaultStartMethod() {
        return settings.startMethod();
    }

    /**
     * Raises a pipe's capacity to {@code bytes} (fcntl F_SETPIPE_SZ; GraalPy's fcntl module has
     * no fcntl()): the new capacity. OSError EPERM once the user's pipes hold more than
     * /proc/sys/fs/pipe-user-pages-soft.
     */
    @HostAccess.Export
    public int setPipeSize(int fd, int bytes) {
        return errors.call(() -> (int) Errno.check("fcntl(F_SETPIPE_SZ)", Io.setPipeSize(fd, bytes)));
    }
}
