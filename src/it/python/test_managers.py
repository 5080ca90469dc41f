"""Managers as in CPython 3.12 (python3 passes these too): the proxies of mp.Manager() used by a
child, a registered type with its own proxy, a manager server reached over TCP by a separate
program, SharedMemoryManager. A pool worker's log record (log_to_stderr) reaching the program's
stderr is checked by BehavioursIT (the line 'worker log line 5')."""
import multiprocessing as mp
import os
import subprocess
import sys
import unittest
from multiprocessing import util
from multiprocessing.managers import BaseManager, BaseProxy, SharedMemoryManager

from support import LONG


class FinalizesWhenPickled:
    """An argument whose pickling runs a proxy's finalizer, as GraalPy's GC may at any point of
    a call (CPython frees a proxy by reference count, between calls)."""

    def __init__(self, proxy):
        self.proxy = proxy

    def __reduce__(self):
        self.proxy._close()  # the util.Finalize that the GC runs when the proxy goes
        return str, ('sent after a finalizer',)


def child_work(d, l, ns, q, lock, ev, val, arr, nested, barrier, cond, sem):
    # The only proxy this child holds a reference through (inherited ones take none, as in
    # CPython's spawn): its finalizer, run inside another proxy's call, must not break that call.
    ns.after_finalizer = FinalizesWhenPickled(nested['inner'])
    with lock:
        d['child'] = os.getpid()
    l.append('from child')
    ns.x = 42
    q.put('queued')
    val.value += 1
    arr[0] = 99
    nested['inner'].append(1)
    ev.set()
    barrier.wait(LONG)
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

# The separate program: argv[1] the port, argv[2] the key; exit 7 when the key is refused.
CLIENT = r'''
import multiprocessing as mp
import sys
from multiprocessing.managers import BaseManager
class RemoteManager(BaseManager):
    pass
RemoteManager.register('shared')
m = RemoteManager(address=('127.0.0.1', int(sys.argv[1])), authkey=sys.argv[2].encode())
try:
    m.connect()
except mp.AuthenticationError as e:
    print('client refused:', type(e).__name__, flush=True)
    sys.exit(7)
m.shared().update([('client', 'was here')])
print('client connected', flush=True)
'''


def log_from_worker(x):
    mp.get_logger().warning('worker log line %d', x)
    return x


class ManagerProxiesTest(unittest.TestCase):
    """A child uses every kind of proxy of one mp.Manager(); the parent sees what it did."""

    @classmethod
    def setUpClass(cls):
        cls.manager = mp.Manager()
        m = cls.manager
        cls.d, cls.l, cls.ns = m.dict(), m.list([1, 2]), m.Namespace()
        cls.q, cls.ev, cls.sem = m.Queue(), m.Event(), m.Semaphore(0)
        cls.val, cls.arr = m.Value('i', 1), m.Array('i', [0, 0, 0])
        cls.nested = m.dict({'inner': m.list()})
        # Held here until the child is done: a proxy that goes frees its object in the manager.
        cls.lock, cls.barrier, cls.cond = m.Lock(), m.Barrier(2), m.Condition()
        cls.p = mp.Process(target=child_work, args=(cls.d, cls.l, cls.ns, cls.q, cls.lock, cls.ev, cls.val,
                                                    cls.arr, cls.nested, cls.barrier, cls.cond, cls.sem))
        cls.p.start()
        try:
            cls.barrier.wait(LONG)
        finally:
            cls.p.join(LONG)

    @classmethod
    def tearDownClass(cls):
        cls.manager.shutdown()

    def test_child_exits_0(self):
        self.assertEqual(self.p.exitcode, 0)

    def test_event(self):
        self.assertTrue(self.ev.wait(LONG))

    def test_semaphore(self):
        self.assertTrue(self.sem.acquire(timeout=LONG))

    def test_dict_written_under_a_lock(self):
        self.assertEqual(self.d['child'], self.p.pid)

    def test_list(self):
        self.assertEqual(list(self.l), [1, 2, 'from child'])

    def test_namespace(self):
        self.assertEqual(self.ns.x, 42)

    def test_queue(self):
        self.assertEqual(self.q.get(timeout=LONG), 'queued')

    def test_value(self):
        self.assertEqual(self.val.value, 2)

    def test_array(self):
        self.assertEqual(list(self.arr), [99, 0, 0])

    def test_a_proxy_inside_a_proxy(self):
        self.assertEqual(list(self.nested['inner']), [1])

    def test_a_call_survives_a_proxy_finalized_inside_it(self):
        self.assertEqual(self.ns.after_finalizer, 'sent after a finalizer')


class ManagerSynchronisationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.manager = mp.Manager()

    @classmethod
    def tearDownClass(cls):
        cls.manager.shutdown()

    def test_joinable_queue_join_returns_once_every_item_is_done(self):
        jq = self.manager.JoinableQueue()
        jq.put(1)
        jq.get()
        jq.task_done()
        jq.join()

    def test_rlock_is_reentrant(self):
        rlock = self.manager.RLock()
        with rlock:
            self.assertTrue(rlock.acquire(timeout=LONG))
            rlock.release()

    def test_release_of_an_unlocked_lock_is_a_runtime_error(self):
        lock = self.manager.Lock()
        with self.assertRaises(RuntimeError):
            lock.release()
        self.assertTrue(lock.acquire(False))
        self.assertFalse(lock.acquire(False))
        lock.release()

    def test_bounded_semaphore_counts_and_refuses_a_release_above_its_bound(self):
        bsem = self.manager.BoundedSemaphore(1)
        self.assertTrue(bsem.acquire(False))
        self.assertFalse(bsem.acquire(False))
        bsem.release()
        with self.assertRaises(ValueError):
            bsem.release()

    def test_a_managers_pool(self):
        with self.manager.Pool(2) as pool:
            self.assertEqual(pool.map(abs, [-1, -2]), [1, 2])


class RegisteredTypeTest(unittest.TestCase):
    def test_a_registered_type_behind_its_own_proxy(self):
        with CounterManager() as cm:
            c = cm.Counter()
            c.incr(5)
            self.assertEqual(c.incr(), 6)
            self.assertEqual(c.value(), 6)


class RemoteManagerTest(unittest.TestCase):
    """A manager server reached from a separate program over TCP, with an authkey."""

    @classmethod
    def setUpClass(cls):
        cls.server = RemoteManager(address=('127.0.0.1', 0), authkey=b'right key')
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def client(self, key):
        return subprocess.run([sys.executable, '-c', CLIENT, str(self.server.address[1]), key],
                              capture_output=True, text=True, timeout=LONG)

    def test_a_separate_program_with_the_key_connects_and_writes(self):
        good = self.client('right key')
        self.assertEqual(good.returncode, 0, good)
        self.assertIn('client connected', good.stdout)
        self.assertEqual(self.server.shared().get('client'), 'was here')

    def test_a_separate_program_with_a_wrong_key_is_refused(self):
        bad = self.client('wrong key')
        self.assertEqual(bad.returncode, 7, bad)
        self.assertIn('AuthenticationError', bad.stdout)


class SharedMemoryManagerTest(unittest.TestCase):
    def test_shared_memory_and_shareable_list_then_cleaned_up(self):
        with SharedMemoryManager() as smm:
            sl = smm.ShareableList([1, 2, 3])
            shm = smm.SharedMemory(16)
            shm.buf[0] = 7
            self.assertEqual((sl[2], shm.buf[0]), (3, 7))
            names = [sl.shm.name, shm.name]
            sl.shm.close()
            shm.close()
        for name in names:
            self.assertFalse(os.path.exists('/dev/shm/' + name.lstrip('/')), name)


class LoggingTest(unittest.TestCase):
    def test_a_pool_workers_log_record_goes_to_stderr_after_log_to_stderr(self):
        """The record's line, 'worker log line 5', is looked for on the program's stderr by
        BehavioursIT; the handler goes again after the test, for the other modules."""
        logger = util.get_logger()
        handlers, level = list(logger.handlers), logger.level
        self.addCleanup(setattr, util, '_log_to_stderr', util._log_to_stderr)
        self.addCleanup(logger.setLevel, level)
        self.addCleanup(lambda: [logger.removeHandler(h) for h in logger.handlers if h not in handlers])
        self.assertIs(mp.log_to_stderr(), logger)
        with mp.Pool(1) as pool:
            self.assertEqual(pool.map(log_from_worker, [5]), [5])


if __name__ == '__main__':
    unittest.main()
