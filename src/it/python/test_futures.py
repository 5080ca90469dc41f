"""concurrent.futures.ProcessPoolExecutor as in CPython 3.12 (python3 passes these too)."""
import concurrent.futures as cf
import multiprocessing as mp
import os
import time
import unittest
from concurrent.futures.process import BrokenProcessPool

from support import LONG


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


class ExecutorTest(unittest.TestCase):
    """One executor of 2 workers with an initializer, shared by the tests of its API."""

    @classmethod
    def setUpClass(cls):
        cls.ex = cf.ProcessPoolExecutor(2, mp_context=mp.get_context(), initializer=init, initargs=('hi',))
        # It starts a worker per submit() while none is idle: both start here, for every test
        # (the first results wait for their JVMs to boot: a minute or more on a busy 2-core machine).
        cls.first = [cls.ex.submit(square, 7), cls.ex.submit(square, 8)]
        cf.wait(cls.first, 2 * LONG)

    @classmethod
    def tearDownClass(cls):
        cls.ex.shutdown(wait=True, cancel_futures=True)

    def test_submit(self):
        self.assertEqual([f.result(LONG) for f in self.first], [49, 64])
        self.assertTrue(all(f.done() for f in self.first))

    def test_initializer(self):
        self.assertEqual(self.ex.submit(greeting).result(LONG)[0], 'hi')

    def test_map(self):
        self.assertEqual(list(self.ex.map(square, range(30))), [x * x for x in range(30)])

    def test_map_with_chunksize(self):
        self.assertEqual(list(self.ex.map(square, range(30), chunksize=4)), [x * x for x in range(30)])

    def test_as_completed_yields_each_once_done(self):
        fs = [self.ex.submit(slow, d) for d in (0.6, 0.1)]
        got = [(f.done(), f.result()) for f in cf.as_completed(fs, timeout=LONG)]
        self.assertEqual(sorted(got), [(True, 0.1), (True, 0.6)])

    def test_wait_first_completed(self):
        done, not_done = cf.wait([self.ex.submit(slow, 0.1), self.ex.submit(slow, 5)],
                                 timeout=LONG, return_when=cf.FIRST_COMPLETED)
        self.assertEqual((len(done), len(not_done)), (1, 1))
        cf.wait(not_done, LONG)

    def test_exception_is_the_workers_caused_by_its_remote_traceback(self):
        e = self.ex.submit(boom).exception(LONG)
        self.assertIsInstance(e, ZeroDivisionError)
        self.assertIn('in boom', str(e.__cause__))

    def test_map_timeout(self):
        with self.assertRaises(cf.TimeoutError):
            list(self.ex.map(slow, [5], timeout=0.5))


class ExecutorLifeTest(unittest.TestCase):
    def test_default_max_workers_follows_cpu_count(self):
        ex = cf.ProcessPoolExecutor()  # no worker starts before a submit()
        try:
            self.assertEqual(ex._max_workers, os.cpu_count())
        finally:
            ex.shutdown()

    def test_shutdown_with_cancel_futures_cancels_the_queued_ones(self):
        ex = cf.ProcessPoolExecutor(1)
        first = ex.submit(slow, 1)
        queued = [ex.submit(slow, 1) for _ in range(5)]
        ex.shutdown(wait=True, cancel_futures=True)
        self.assertEqual(first.result(), 1)
        self.assertTrue(any(f.cancelled() for f in queued))

    def test_submit_after_shutdown_is_a_runtime_error(self):
        ex = cf.ProcessPoolExecutor(1)
        ex.shutdown()
        with self.assertRaises(RuntimeError):
            ex.submit(square, 1)

    def test_max_tasks_per_child_replaces_the_worker_after_each_task(self):
        ex = cf.ProcessPoolExecutor(1, max_tasks_per_child=1)
        try:
            pids = [ex.submit(greeting).result(LONG)[1] for _ in range(2)]  # each worker is a JVM
        finally:
            ex.shutdown()
        self.assertNotEqual(pids[0], pids[1])


class BrokenPoolTest(unittest.TestCase):
    """A worker that dies abruptly breaks its executor, as in CPython."""

    @classmethod
    def setUpClass(cls):
        cls.ex = cf.ProcessPoolExecutor(2)
        cls.ex.submit(square, 1).result(LONG)
        cls.died = cls.ex.submit(die, 0)
        cf.wait([cls.died], LONG)

    @classmethod
    def tearDownClass(cls):
        cls.ex.shutdown()

    def test_the_task_of_a_dead_worker_raises_broken_process_pool(self):
        with self.assertRaises(BrokenProcessPool):
            self.died.result(LONG)

    def test_a_broken_pool_refuses_tasks(self):
        with self.assertRaises(BrokenProcessPool):
            self.ex.submit(square, 2)


if __name__ == '__main__':
    unittest.main()
