"""Managers as CPython's: a managed Lock that refuses a release while unlocked, and a proxy's
finalizer that cannot close a connection under a call in progress.

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


class _NoConnection:
    """A thread-local stand-in with no 'connection': the stdlib's _decref then closes nothing."""


def _decref_without_closing(stdlib_decref):
    """BaseProxy._decref runs when the GC finds a proxy gone. When the process then holds no
    proxy of that manager (always so in a spawned child, whose inherited proxies, as CPython's,
    take no references), the stdlib closes the running thread's connection to the manager.
    CPython frees a proxy the moment it goes, between two calls; GraalPy's GC runs the finalizer
    at any point of the thread, also between a _callmethod's send() and its recv(), which then
    fails with OSError 'handle is closed' (a child that used a proxy returned by another, such
    as nested['inner'].append(1), failed so after ~140 such calls). Here the thread forgets the
    connection instead: its next call connects again, as in CPython, and a call in progress ends
    on the one it holds, closed once unreferenced (Connection.__del__)."""
    def _decref(token, serial, authkey, state, tls, idset, _Client):
        stdlib_decref(token, serial, authkey, state, _NoConnection, idset, _Client)
        if not idset and hasattr(tls, 'connection'):
            del tls.connection
    return staticmethod(_decref)


def install(managers):
    """multiprocessing.managers: SyncManager.Lock() is a CheckedLock in the server; a proxy's
    finalizer forgets the thread's connection instead of closing it."""
    managers.SyncManager.register('Lock', CheckedLock, managers.AcquirerProxy)
    managers.BaseProxy._decref = _decref_without_closing(managers.BaseProxy._decref)
