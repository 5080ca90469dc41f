"""_multiprocessing.SemLock on Java's polyproc.bridge.SemLock, under the stdlib's synchronize.

GraalPy's multiprocessing.context asks its context for the SemLock (``_SemLock``,
``_SemLock_rebuild``, ``_sem_unlink``); polyproc.context points those here. Everything above it
(Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier, the queues) is the stdlib's.
The semaphore is a glibc-compatible named semaphore under /dev/shm (see NamedSemaphore.java for
why it is operated from Java and not through glibc), so names, pickling to children (by name) and
cleanup by the resource tracker are as in CPython.

Semantics as CPython's Modules/_multiprocessing/semaphore.c: acquire(block=True, timeout=None)
tries first without releasing the GIL; a negative timeout is 0; a recursive mutex counts its
owner's acquisitions; release() of a semaphore at its bound raises ValueError, of a recursive
mutex not owned AssertionError.
"""

import math
import os
import time

from polyproc import _java

try:
    from polyglot import __set_gil_locked_during_foreign_calls__ as _keep_gil
except ImportError:  # older GraalPy: host calls always release the GIL
    def _keep_gil(lock):
        return False

RECURSIVE_MUTEX, SEMAPHORE = 0, 1
_RELEASED_TOO_OFTEN, _NOT_OWNED = -1, -2  # SemLock.release()'s results besides 0
# A sleeping acquire() comes back to Python this often, so that a signal handler (Ctrl-C's
# KeyboardInterrupt) runs in a thread blocked in a lock, as it does in CPython; a release
# wakes the sleeper at once whatever this is.
_WAIT_SLICE_NS = 50_000_000


class SemLock:
    SEM_VALUE_MAX = 2147483647

    def __init__(self, kind, value, maxvalue, name, unlink):
        if kind != RECURSIVE_MUTEX and kind != SEMAPHORE:
            raise ValueError('unrecognized kind')
        if not 0 <= value <= SemLock.SEM_VALUE_MAX:
            raise OSError(22, os.strerror(22))  # sem_open's EINVAL
        self._sl = _java.synchronize.create(kind, value, maxvalue, name, bool(unlink))
        self._init(kind, maxvalue, None if unlink else name)

    def _init(self, kind, maxvalue, name):
        self.kind = kind
        self.maxvalue = maxvalue
        self.name = name
        self.handle = self._sl.handle()
        # Bound once: calling a bound host method costs about half of looking the member up
        # on the Java object at each call (55 against 107 ns, C1 host code).
        self._try_acquire = self._sl.tryAcquire
        self._release = self._sl.release

    @classmethod
    def _rebuild(cls, handle, kind, maxvalue, name):
        if name is None:
            raise OSError(22, 'an unlinked semaphore cannot be opened in another process')
        self = cls.__new__(cls)
        self._sl = _java.synchronize.open(kind, maxvalue, name)
        self._init(kind, maxvalue, name)
        return self

    def acquire(self, block=True, timeout=None):
        if timeout is not None:
            timeout = _seconds(timeout)
        previous = _keep_gil(True)  # a short host call: not worth releasing the GIL for
        try:
            got = self._try_acquire()
        finally:
            _keep_gil(previous)
        if got or not block:
            return got
        if timeout is not None and not math.isfinite(timeout):
            raise OSError(22, os.strerror(22))  # CPython: sem_timedwait's EINVAL
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
        # The GIL must be free while Java sleeps, also inside a caller's
        # polyglot.gil_locked_during_interop(True), or the thread that would release could not run.
        previous = _keep_gil(False)
        try:
            while True:
                nanos = _WAIT_SLICE_NS
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    nanos = min(nanos, int(left * 1e9) + 1)
                if self._sl.waitFor(nanos):  # the unit is this thread's already
                    return True
        finally:
            _keep_gil(previous)

    def release(self):
        previous = _keep_gil(True)
        try:
            err = self._release()
        finally:
            _keep_gil(previous)
        if err == _RELEASED_TOO_OFTEN:
            raise ValueError('semaphore or lock released too many times')
        if err == _NOT_OWNED:
            raise AssertionError('attempt to release recursive lock not owned by thread')

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *args):
        self.release()

    def _count(self):
        return self._sl.count()

    def _is_mine(self):
        return self._sl.isMine()

    def _get_value(self):
        return self._sl.value()

    def _is_zero(self):
        return self._sl.value() == 0

    def _after_fork(self):
        self._sl.afterFork()

    def __reduce__(self):
        raise TypeError("cannot pickle '_multiprocessing.SemLock' object")


def _seconds(timeout):
    if not hasattr(type(timeout), '__float__') and not hasattr(type(timeout), '__index__'):
        raise TypeError('must be real number, not %s' % type(timeout).__name__)
    return float(timeout)


def sem_unlink(name):
    _java.synchronize.unlink(name)


def install(ctx):
    """Make the stdlib module ``multiprocessing.context`` (ctx) use this SemLock."""
    ctx.BaseContext._SemLock = lambda self, kind, value, maxvalue, name, unlink: SemLock(
        kind, value, maxvalue, name, unlink)
    ctx.BaseContext._SemLock_rebuild = lambda self, *state: SemLock._rebuild(*state)
    ctx.BaseContext._sem_unlink = lambda self, name: sem_unlink(name)
