package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;

import polyproc.internal.posix.NamedSemaphore;

/** For python/polyproc/synchronize.py: _multiprocessing.SemLock and sem_unlink. */
public final class SynchronizeBridge {
    private final PythonErrors errors;

    SynchronizeBridge(PythonErrors errors) {
        this.errors = errors;
    }

    /** SemLock(kind, value, maxvalue, name, unlink): a new semaphore of that name, unlinked at once if asked. */
    @HostAccess.Export
    public SemLock create(int kind, int value, int maxvalue, String name, boolean unlink) {
        NamedSemaphore semaphore;
        try {
            semaphore = NamedSemaphore.create(name, value);
        } catch (NamedSemaphore.OpenFailed e) {
            throw errors.raise(e.errno(), null, null);
        }
        if (unlink) {
            unlink(name);
        }
        return new SemLock(semaphore, kind, maxvalue, errors);
    }

    /** SemLock._rebuild in a child: the semaphore of that name, as another process made it. */
    @HostAccess.Export
    public SemLock open(int kind, int maxvalue, String name) {
        try {
            return new SemLock(NamedSemaphore.open(name), kind, maxvalue, errors);
        } catch (NamedSemaphore.OpenFailed e) {
            throw errors.raise(e.errno(), null, null);
        }
    }

    /** sem_unlink(3). */
    @HostAccess.Export
    public void unlink(String name) {
        int err = NamedSemaphore.unlink(name);
        if (err != 0) {
            throw errors.raise(err, null, null);
        }
    }
}
