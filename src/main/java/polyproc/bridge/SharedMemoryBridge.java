package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;

import polyproc.internal.posix.LibC;

/** For python/polyproc/shared_memory.py: GraalPy's _posixshmem has neither function. */
public final class SharedMemoryBridge {
    private final PythonErrors errors;

    SharedMemoryBridge(PythonErrors errors) {
        this.errors = errors;
    }

    /** shm_open(3): the descriptor (close-on-exec). */
    @HostAccess.Export
    public int shmOpen(String name, int flags, int mode) {
        return errors.call(name, () -> (int) LibC.check("shm_open", LibC.shmOpen(name, flags, mode)));
    }

    /** shm_unlink(3). */
    @HostAccess.Export
    public void shmUnlink(String name) {
        errors.call(name, () -> LibC.check("shm_unlink", LibC.shmUnlink(name)));
    }
}
