"""concurrent.futures.ProcessPoolExecutor as in CPython 3.12 (run by PoolsIT; passes under python3 too)."""
import concurrent.futures as cf
import multiprocessing as mp
import os
import sys
import time
from concurrent.futures.process import BrokenProcessPool

from checks import CHECKS, check


def square(x):
    return x * x


def slow(x):
    time.sleep(x)
    return x


def die(_):
    os._exit(1)  # abruptly, as a crash would


def boom():
    raise ZeroDivisionError('from worker')


GREETING = None


def init(g):
    global GREETING
    GREETING = g


def greeting():
    return GREETING, os.getpid()


if __name__ == '__main__':
    ctx = mp.get_context(sys.argv[1]) if len(sys.argv) > 1 else None
    with cf.ProcessPoolExecutor(2, mp_context=ctx, initializer=init, initargs=('hi',)) as ex:
        check('default max_workers', cf.ProcessPoolExecutor()._max_workers == os.cpu_count())
        f = ex.submit(square, 7)
        # the first result waits for the pool's worker JVMs to boot: minutes on a busy 2-core machine
        check('submit', f.result(180) == 49 and f.done())
        check('initializer', ex.submit(greeting).result(60)[0] == 'hi')
        check('map', list(ex.map(square, range(30))) == [x * x for x in range(30)])
        check('map chunksize', list(ex.map(square, range(30), chunksize=4)) == [x * x for x in range(30)])
        fs = [ex.submit(slow, d) for d in (0.6, 0.1)]
        got = [(f.done(), f.result()) for f in cf.as_completed(fs, timeout=60)]
        check('as_completed', sorted(got) == [(True, 0.1), (True, 0.6)], got)
        done, not_done = cf.wait([ex.submit(slow, 0.1), ex.submit(slow, 5)], return_when=cf.FIRST_COMPLETED)
        check('wait FIRST_COMPLETED', len(done) == 1 and len(not_done) == 1)
        e = ex.submit(boom).exception(60)
        check('exception type', isinstance(e, ZeroDivisionError) and 'in boom' in str(e.__cause__), repr(e))
        try:
            list(ex.map(slow, [5], timeout=0.5))
            check('map timeout', False)
        except cf.TimeoutError:
            check('map timeout', True)

    ex = cf.ProcessPoolExecutor(1, mp_context=ctx)
    first = ex.submit(slow, 1)
    queued = [ex.submit(slow, 1) for _ in range(5)]
    ex.shutdown(wait=True, cancel_futures=True)
    check('shutdown cancel_futures', first.result() == 1 and any(f.cancelled() for f in queued))
    try:
        ex.submit(square, 1)
        check('submit after shutdown', False)
    except RuntimeError:
        check('submit after shutdown', True)

    ex = cf.ProcessPoolExecutor(1, mp_context=ctx, max_tasks_per_child=1)
    pids = [ex.submit(greeting).result(60)[1] for _ in range(3)]
    ex.shutdown()
    check('max_tasks_per_child', len(set(pids)) == 3, pids)

    ex = cf.ProcessPoolExecutor(2, mp_context=ctx)
    ex.submit(square, 1).result(60)
    f = ex.submit(die, 0)
    try:
        f.result(120)
        check('BrokenProcessPool', False)
    except BrokenProcessPool:
        check('BrokenProcessPool', True)
    try:
        ex.submit(square, 2)
        check('broken pool refuses', False)
    except BrokenProcessPool:
        check('broken pool refuses', True)
    ex.shutdown()
    print('ALL OK', len(CHECKS), flush=True)
