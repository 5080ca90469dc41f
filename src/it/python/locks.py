"""multiprocessing's SemLock semantics within one process, as CPython's (run by ScriptsIT; python3
passes it too). Between processes: communication.py (a lock held across processes, a Condition,
a Barrier) and sharedctypes.py (increments under a lock by three children, none lost)."""
import multiprocessing as mp
import os
import signal
import threading
import time

from checks import check


def elapsed(since):
    return time.monotonic() - since


if __name__ == '__main__':
    mp.set_start_method('forkserver')  # python3 3.11's default, fork, makes unnamed semaphores
    lock = mp.Lock()
    name = lock._semlock.name
    check('named semaphore, owner-only', name is not None and name.startswith('/mp-')
          and os.stat('/dev/shm/sem.' + name[1:]).st_mode & 0o777 == 0o600)
    check('acquire free lock', lock.acquire() is True)
    check('non-blocking on held lock', lock.acquire(False) is False and lock.acquire(block=False) is False)
    check('negative timeout is zero', lock.acquire(timeout=-1) is False)
    t0 = time.monotonic()
    check('timeout honoured', lock.acquire(timeout=0.3) is False and 0.29 <= elapsed(t0) < 5, elapsed(t0))
    try:
        lock.acquire(timeout='1')
        check('str timeout refused', False)
    except TypeError as e:
        check('str timeout refused', str(e) == 'must be real number, not str', e)
    for bad in (float('inf'), float('nan')):
        try:
            lock.acquire(timeout=bad)
            check('timeout %s refused' % bad, False)
        except OSError as e:
            check('timeout %s refused' % bad, e.errno == 22, e)
    releaser = threading.Timer(0.2, lock.release)
    releaser.start()
    check('huge timeout', lock.acquire(timeout=1e12))
    releaser.join()
    lock.release()
    try:
        lock.release()
        check('Lock released too often', False)
    except ValueError as e:
        check('Lock released too often', str(e) == 'semaphore or lock released too many times', e)

    rlock = mp.RLock()
    try:
        rlock.release()
        check('RLock not owned', False)
    except AssertionError as e:
        check('RLock not owned', str(e) == 'attempt to release recursive lock not owned by thread', e)
    with rlock:
        with rlock:
            check('RLock reentrant', rlock._semlock._count() == 2 and rlock._semlock._is_mine())
        other = []
        t = threading.Thread(target=lambda: other.append((rlock.acquire(timeout=0.1), rlock._semlock._is_mine())))
        t.start()
        t.join()
        check('RLock excludes other threads', other == [(False, False)], other)
    check('RLock released', rlock._semlock._count() == 0 and rlock.acquire(False))
    rlock.release()

    sem = mp.Semaphore(2)
    check('Semaphore value', sem.get_value() == 2 and sem.acquire() and sem.get_value() == 1)
    sem.release()
    sem.release()
    check('Semaphore unbounded', sem.get_value() == 3)
    bounded = mp.BoundedSemaphore(2)
    bounded.acquire()
    bounded.release()
    try:
        bounded.release()
        check('BoundedSemaphore bound', False)
    except ValueError:
        check('BoundedSemaphore bound', bounded.get_value() == 2)
    try:
        mp.Semaphore(-1)
        check('negative Semaphore refused', False)
    except OSError as e:
        check('negative Semaphore refused', e.errno == 22, e)
    try:
        mp.Semaphore(2 ** 31)
        check('Semaphore above SEM_VALUE_MAX refused', False)
    except (OSError, OverflowError) as e:
        check('Semaphore above SEM_VALUE_MAX refused', True)

    # A sleeping acquire wakes within milliseconds of the release from another thread.
    lock.acquire()
    releaser = threading.Timer(0.2, lock.release)
    t0 = time.monotonic()
    releaser.start()
    check('woken by release', lock.acquire(timeout=30) and 0.19 <= elapsed(t0) < 1.5, elapsed(t0))
    releaser.join()

    # Signals reach a thread blocked in acquire: a handler runs and the wait goes on; Ctrl-C's
    # KeyboardInterrupt ends it.
    ran = []
    signal.signal(signal.SIGUSR1, lambda *a: ran.append(True))
    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1)).start()
    releaser = threading.Timer(0.8, lock.release)
    releaser.start()
    t0 = time.monotonic()
    check('handler runs, wait goes on', lock.acquire(timeout=30) and ran == [True] and elapsed(t0) >= 0.75,
          (ran, elapsed(t0)))
    releaser.join()
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    t0 = time.monotonic()
    try:
        lock.acquire(timeout=30)
        check('KeyboardInterrupt in acquire', False)
    except KeyboardInterrupt:
        check('KeyboardInterrupt in acquire', elapsed(t0) < 5, elapsed(t0))
    lock.release()

    # The stdlib's types on top: Condition, Event, Barrier within threads.
    cond, event = mp.Condition(), mp.Event()
    box = []

    def notifier():
        with cond:
            box.append(1)
            cond.notify_all()
        event.set()
    with cond:
        threading.Timer(0.1, notifier).start()
        check('Condition wait_for', cond.wait_for(lambda: box, timeout=30))
    check('Event', event.wait(30) and event.is_set())
    barrier = mp.Barrier(2, timeout=30)
    t = threading.Thread(target=barrier.wait)
    t.start()
    check('Barrier', barrier.wait() in (0, 1))
    t.join()
    print('ALL OK', flush=True)
