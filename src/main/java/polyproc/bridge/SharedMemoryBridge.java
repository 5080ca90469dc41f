package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;

import polyproc.internal.posix.Errno;
import polyproc.internal.posix.SharedMemory;

/** For python/polyproc/shared_memory.py: GraalPy's _posixshmem has neither function. */
public final class SharedMemoryBridge {
    private final PythonErrors errors;

    SharedMemoryBridge(PythonErrors errors) {
        this.errors = errors;
    }

    /** shm_open(3): the descriptor (close-on-exec). */
    @HostAccess.Export
    public int shmOpen(String name, int flags, int mode) {
        return errors.call(name, () -> (int) Errno.check("shm_open", SharedMemory.shmOpen(name, flags, mode)));
    }

    /** shm_unlink(3). */
    @HostAccess.Export
    public void shmUnlink(String name) {
        errors.call(name, () -> Errno.check("shm_unlink", SharedMemory.shmUnlink(name)));
    }
}
