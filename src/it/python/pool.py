"""multiprocessing.Pool and ThreadPool as CPython 3.12 has them (run by PoolsIT; passes under python3 too)."""
import multiprocessing as mp
import os
import signal
import sys
import time
from multiprocessing.pool import ThreadPool

from checks import CHECKS, check


def square(x):
    return x * x


def add(a, b):
    return a + b


def pid_after(delay):
    time.sleep(delay)
    return os.getpid()


def fails(x):
    if x == 3:
        raise KeyError('bad %d' % x)
    return x


INIT = None


def init(value):
    global INIT
    INIT = value


def get_init(_):
    return INIT


def slow(x):
    time.sleep(x)
    return x


if __name__ == '__main__':
    if len(sys.argv) > 1:
        mp.set_start_method(sys.argv[1])
    default_pool = mp.Pool()
    check('default size follows cpu_count', default_pool._processes == os.cpu_count(), default_pool._processes)
    default_pool.terminate()
    with mp.Pool(2, initializer=init, initargs=('ready',)) as pool:
        check('apply', pool.apply(add, (2, 3)) == 5)
        check('initializer', set(pool.map(get_init, range(4))) == {'ready'})
        check('map', pool.map(square, range(50)) == [x * x for x in range(50)])
        check('map chunksize', pool.map(square, range(50), chunksize=7) == [x * x for x in range(50)])
        check('starmap', pool.starmap(add, [(1, 2), (3, 4)]) == [3, 7])
        check('imap', list(pool.imap(square, range(20), chunksize=3)) == [x * x for x in range(20)])
        check('imap_unordered', sorted(pool.imap_unordered(square, range(20))) == sorted(x * x for x in range(20)))
        got, errors = [], []
        r = pool.apply_async(add, (1, 1), callback=got.append, error_callback=errors.append)
        check('apply_async + callback', r.get(60) == 2 and got == [2] and r.ready() and r.successful())
        r = pool.apply_async(fails, (3,), callback=got.append, error_callback=errors.append)
        r.wait(60)
        check('error_callback', len(errors) == 1 and isinstance(errors[0], KeyError) and not r.successful())
        try:
            r.get()
            check('worker exception type', False)
        except KeyError as e:
            cause = e.__cause__
            check('worker exception type', e.args == ('bad 3',))
            check('remote traceback', type(cause).__name__ == 'RemoteTraceback' and 'in fails' in str(cause),
                  repr(cause))
        try:
            pool.map(fails, range(5))
            check('map raises the first error', False)
        except KeyError:
            check('map raises the first error', True)
        m = pool.map_async(square, range(10))
        check('map_async', m.get(60) == [x * x for x in range(10)])
        s = pool.starmap_async(add, [(1, 1)])
        check('starmap_async', s.get(60) == [2])
        r = pool.apply_async(slow, (3,))
        try:
            r.get(0.1)
            check('get timeout', False)
        except mp.TimeoutError:
            check('get timeout', not r.ready())
        try:
            r.successful()
            check('successful before ready', False)
        except ValueError:
            check('successful before ready', True)
        check('result after timeout', r.get(60) == 3)

    # maxtasksperchild replaces the worker after each task.
    with mp.Pool(1, maxtasksperchild=1) as pool:
        pids = [pool.apply(os.getpid) for _ in range(3)]
        check('maxtasksperchild', len(set(pids)) == 3, pids)

    # A worker killed from outside is replaced, as in CPython; the pool goes on (the task it ran
    # is lost, as in CPython). Killed inside a task, not while it holds the task queue's lock.
    pool = mp.Pool(2)
    before = set(pool.map(pid_after, [0.3] * 4))
    victim = sorted(before)[0]
    lost = [pool.apply_async(pid_after, (3,)) for _ in range(2)]
    time.sleep(1.5)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 120
    after = set()
    while time.monotonic() < deadline:
        after = set(pool.map(pid_after, [0.2] * 6))
        if victim not in after and len(after) == 2:
            break
    check('killed worker replaced', victim not in after and len(after) == 2 and after - before, (before, after))
    pool.terminate()  # close() + join() would wait for the lost task forever, as in CPython
    pool.join()
    try:
        pool.apply(add, (1, 2))
        check('closed pool refuses', False)
    except ValueError:
        check('closed pool refuses', True)

    # terminate() stops workers at once, with tasks running.
    pool = mp.Pool(2)
    workers = [p for p in pool._pool]
    pool.map_async(slow, [30, 30])
    time.sleep(0.5)
    t = time.monotonic()
    pool.terminate()
    pool.join()
    check('terminate', all(not p.is_alive() for p in workers) and time.monotonic() - t < 10,
          [p.exitcode for p in workers])

    with ThreadPool(3) as tp:
        check('ThreadPool', tp.map(square, range(10)) == [x * x for x in range(10)]
              and tp.apply(os.getpid) == os.getpid())
    print('ALL OK', len(CHECKS), flush=True)
