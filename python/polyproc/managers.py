"""A managed Lock that refuses a release while unlocked, as CPython's does.

GraalPy 25.0.3's threading.Lock().release() of an unlocked lock raises nothing and leaves the
lock admitting two holders (measured: release(), then acquire() and locked() is False).
SyncManager's server hands out threading.Lock objects, so every process sharing a managed Lock
would lose mutual exclusion after one stray release. The server now hands out a CheckedLock:
the check and the release happen under a guard, so two concurrent stray releases cannot both
pass it. RLock, Condition (its default RLock) and the rest are unaffected: GraalPy's RLock
checks its owner.
"""

import threading


class CheckedLock:
    def __init__(self):
        self._lock = threading.Lock()
        self._guard = threading.Lock()

    def acquire(self, blocking=True, timeout=-1):
        return self._lock.acquire(blocking, timeout)

    def release(self):
        with self._guard:
            if not self._lock.locked():
                raise RuntimeError('release unlocked lock')
            self._lock.release()

    def locked(self):
        return self._lock.locked()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, 'locked' if self.locked() else 'unlocked')


def install(managers):
    """multiprocessing.managers: SyncManager.Lock() is a CheckedLock in the server."""
    managers.SyncManager.register('Lock', CheckedLock, managers.AcquirerProxy)
