"""Managers as in CPython 3.12 (run by PoolsIT; passes under python3 too). With argv[1] == 'client'
it is the separate program that reaches the parent's manager over TCP."""
import multiprocessing as mp
import os
import subprocess
import sys
from multiprocessing.managers import BaseManager, BaseProxy, SharedMemoryManager

from checks import CHECKS, check


def child_work(d, l, ns, q, lock, ev, val, arr, nested, barrier, cond, sem):
    with lock:
        d['child'] = os.getpid()
    l.append('from child')
    ns.x = 42
    q.put('queued')
    val.value += 1
    arr[0] = 99
    nested['inner'].append(1)
    ev.set()
    barrier.wait(60)
    with cond:
        cond.notify_all()
    sem.release()


class Counter:
    def __init__(self):
        self.n = 0

    def incr(self, by=1):
        self.n += by
        return self.n

    def value(self):
        return self.n


class CounterProxy(BaseProxy):
    _exposed_ = ('incr', 'value')

    def incr(self, by=1):
        return self._callmethod('incr', (by,))

    def value(self):
        return self._callmethod('value')


class CounterManager(BaseManager):
    pass


CounterManager.register('Counter', Counter, proxytype=CounterProxy)


class RemoteManager(BaseManager):
    pass


SHARED = {}


def get_shared():
    return SHARED


RemoteManager.register('shared', callable=get_shared)


def remote_client(port, key):
    RemoteManager.register('shared')
    m = RemoteManager(address=('127.0.0.1', port), authkey=key)
    m.connect()
    shared = m.shared()
    shared.update([('client', 'was here')])
    print('client connected', flush=True)


def log_from_worker(x):
    mp.get_logger().warning('worker log line %d', x)
    return x


if __name__ == '__main__':
    if sys.argv[1:2] == ['client']:
        try:
            remote_client(int(sys.argv[2]), sys.argv[3].encode())
        except mp.AuthenticationError as e:
            print('client refused:', type(e).__name__, flush=True)
            sys.exit(7)
        sys.exit(0)

    if os.environ.get('MP_START_METHOD'):
        mp.set_start_method(os.environ['MP_START_METHOD'])
    with mp.Manager() as m:
        d, l, ns = m.dict(), m.list([1, 2]), m.Namespace()
        q, jq = m.Queue(), m.JoinableQueue()
        lock, rlock, ev = m.Lock(), m.RLock(), m.Event()
        sem, bsem = m.Semaphore(0), m.BoundedSemaphore(1)
        cond, barrier = m.Condition(), m.Barrier(2)
        val, arr = m.Value('i', 1), m.Array('i', [0, 0, 0])
        nested = m.dict({'inner': m.list()})
        p = mp.Process(target=child_work, args=(d, l, ns, q, lock, ev, val, arr, nested, barrier, cond, sem))
        p.start()
        barrier.wait(120)
        check('Event', ev.wait(60))
        check('Semaphore', sem.acquire(timeout=60))
        p.join()
        check('child exit', p.exitcode == 0, p.exitcode)
        check('dict', d['child'] == p.pid)
        check('list', list(l) == [1, 2, 'from child'])
        check('Namespace', ns.x == 42)
        check('Queue', q.get(timeout=10) == 'queued')
        check('Value', val.value == 2)
        check('Array', list(arr) == [99, 0, 0])
        check('nested proxy', list(nested['inner']) == [1])
        jq.put(1)
        jq.get()
        jq.task_done()
        jq.join()
        check('JoinableQueue', True)
        with rlock:
            with rlock:
                check('RLock reentrant', True)
        try:
            lock.release()
            check('Lock released while unlocked', False)
        except RuntimeError:
            check('Lock released while unlocked', lock.acquire(False) and not lock.acquire(False))
        lock.release()
        check('BoundedSemaphore', bsem.acquire(False) and not bsem.acquire(False))
        bsem.release()
        try:
            bsem.release()
            check('BoundedSemaphore over-release', False)
        except ValueError:
            check('BoundedSemaphore over-release', True)
        with m.Pool(2) as pool:
            check('manager Pool', pool.map(abs, [-1, -2]) == [1, 2])

    with CounterManager() as cm:
        c = cm.Counter()
        c.incr(5)
        check('registered type and proxy', c.incr() == 6 and c.value() == 6)

    # A manager server reached from a separate program over TCP, with an authkey.
    server = RemoteManager(address=('127.0.0.1', 0), authkey=b'right key')
    server.start()
    port = server.address[1]
    me = os.path.abspath(__file__)
    good = subprocess.run([sys.executable, me, 'client', str(port), 'right key'], capture_output=True, text=True)
    check('remote client', good.returncode == 0 and 'client connected' in good.stdout, good)
    check('remote client wrote', server.shared().get('client') == 'was here')
    bad = subprocess.run([sys.executable, me, 'client', str(port), 'wrong key'], capture_output=True, text=True)
    check('wrong authkey', bad.returncode == 7 and 'AuthenticationError' in bad.stdout, bad)
    server.shutdown()

    with SharedMemoryManager() as smm:
        sl = smm.ShareableList([1, 2, 3])
        shm = smm.SharedMemory(16)
        shm.buf[0] = 7
        check('SharedMemoryManager', sl[2] == 3 and shm.buf[0] == 7)
        names = [sl.shm.name, shm.name]
    check('SharedMemoryManager cleans up', not any(os.path.exists('/dev/shm/' + n.lstrip('/')) for n in names))

    mp.log_to_stderr()
    with mp.Pool(1) as pool:
        pool.map(log_from_worker, [5])
    print('ALL OK', len(CHECKS), flush=True)
