package polyproc.bridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.graalvm.polyglot.HostAccess;

import polyproc.internal.posix.NamedSemaphore;

/**
 * The state of CPython's {@code _multiprocessing.SemLock} on a {@link NamedSemaphore}: the kind
 * (a recursive mutex or a semaphore), the bound, and this process's count and owner, which
 * CPython keeps per SemLock object too. Python wraps it in {@code polyproc.synchronize.SemLock};
 * each operation below is one host call.
 *
 * <p>A sleeping acquire ({@link #waitFor}) records the unit it took (count and owner) in the same
 * host call, as CPython's semaphore.c does before any Python code can run: a KeyboardInterrupt
 * raised in between would lose the unit, taken with no owner. That call runs with the GIL
 * released, so the count changes atomically and the owner is volatile.
 */
public final class SemLock {
    public static final int RECURSIVE_MUTEX = 0;
    public static final int SEMAPHORE = 1;
    /** {@link #release}'s results besides 0. */
    public static final int RELEASED_TOO_OFTEN = -1;
    public static final int NOT_OWNED = -2;

    private final NamedSemaphore semaphore;
    private final int kind;
    private final int maxvalue;
    private final PythonErrors errors;
    private volatile int count; // changed through COUNT only
    private volatile long owner;

    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(SemLock.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    SemLock(NamedSemaphore semaphore, int kind, int maxvalue, PythonErrors errors) {
        this.semaphore = semaphore;
        this.kind = kind;
        this.maxvalue = maxvalue;
        this.errors = errors;
    }

    /** Acquire without sleeping: a recursive mutex this thread holds, or a unit of the value. */
    @HostAccess.Export
    public boolean tryAcquire() {
        if (kind == RECURSIVE_MUTEX && isMine()) {
            COUNT.getAndAdd(this, 1);
            return true;
        }
        if (!semaphore.tryWait()) {
            return false;
        }
        acquired();
        return true;
    }

    /** Sleeps up to {@code nanos} for a unit, and records it as this thread's if it came. */
    @HostAccess.Export
    public boolean waitFor(long nanos) {
        if (!semaphore.waitFor(nanos)) {
            return false;
        }
        acquired();
        return true;
    }

    private void acquired() {
        owner = Thread.currentThread().threadId();
        COUNT.getAndAdd(this, 1);
    }

    /** 0, {@link #RELEASED_TOO_OFTEN} or {@link #NOT_OWNED}; sem_post's failure raises OSError. */
    @HostAccess.Export
    public int release() {
        if (kind == RECURSIVE_MUTEX) {
            if (!isMine()) {
                return NOT_OWNED;
            }
            if (count > 1) {
                COUNT.getAndAdd(this, -1);
                return 0;
            }
        } else if (semaphore.value() >= maxvalue) {
            // as CPython: a check, not a guarantee, against two releases racing past the bound
            return RELEASED_TOO_OFTEN;
        }
        int err = semaphore.post();
        if (err != 0) {
            throw errors.raise(err, null, null);
        }
        COUNT.getAndAdd(this, -1);
        return 0;
    }

    @HostAccess.Export
    public int count() {
        return count;
    }

    @HostAccess.Export
    public boolean isMine() {
        return count > 0 && owner == Thread.currentThread().threadId();
    }

    @HostAccess.Export
    public int value() {
        return semaphore.value();
    }

    @HostAccess.Export
    public void afterFork() {
        COUNT.set(this, 0);
    }

    @HostAccess.Export
    public long handle() {
        return semaphore.address();
    }
}
