"""multiprocessing.Pool and ThreadPool as CPython 3.12 has them (python3 passes these too)."""
import multiprocessing as mp
import os
import signal
import time
import unittest
from multiprocessing.pool import ThreadPool

from support import LONG, wait_until


def square(x):
    return x * x


def add(a, b):
    return a + b


def fails(x):
    if x == 3:
        raise KeyError('bad %d' % x)
    return x


def slow(x):
    time.sleep(x)
    return x


def pid_after(delay):
    time.sleep(delay)
    return os.getpid()


INIT = None


def init(value):
    global INIT
    INIT = value


def get_init(_):
    return INIT


def announces_then_sleeps(delay):
    """Says which worker runs it, once it runs (INIT: a queue, from the pool's initializer)."""
    INIT.put(os.getpid())
    time.sleep(delay)
    return os.getpid()


class PoolTest(unittest.TestCase):
    """One Pool(2) with an initializer, shared by the tests of its API."""

    @classmethod
    def setUpClass(cls):
        cls.pool = mp.Pool(2, initializer=init, initargs=('ready',))

    @classmethod
    def tearDownClass(cls):
        cls.pool.terminate()
        cls.pool.join()

    def test_apply(self):
        self.assertEqual(self.pool.apply(add, (2, 3)), 5)

    def test_tasks_see_what_the_initializer_set(self):
        self.assertEqual(set(self.pool.map(get_init, range(4))), {'ready'})

    def test_map(self):
        self.assertEqual(self.pool.map(square, range(50)), [x * x for x in range(50)])

    def test_map_with_chunksize(self):
        self.assertEqual(self.pool.map(square, range(50), chunksize=7), [x * x for x in range(50)])

    def test_starmap(self):
        self.assertEqual(self.pool.starmap(add, [(1, 2), (3, 4)]), [3, 7])

    def test_imap_with_chunksize(self):
        self.assertEqual(list(self.pool.imap(square, range(20), chunksize=3)), [x * x for x in range(20)])

    def test_imap_unordered(self):
        self.assertEqual(sorted(self.pool.imap_unordered(square, range(20))), sorted(x * x for x in range(20)))

    def test_map_async(self):
        self.assertEqual(self.pool.map_async(square, range(10)).get(LONG), [x * x for x in range(10)])

    def test_starmap_async(self):
        self.assertEqual(self.pool.starmap_async(add, [(1, 1)]).get(LONG), [2])

    def test_apply_async_calls_back_with_the_result(self):
        got, errors = [], []
        r = self.pool.apply_async(add, (1, 1), callback=got.append, error_callback=errors.append)
        self.assertEqual(r.get(LONG), 2)
        self.assertEqual((got, errors), ([2], []))
        self.assertTrue(r.ready() and r.successful())

    def test_apply_async_calls_error_callback_with_the_workers_exception(self):
        got, errors = [], []
        r = self.pool.apply_async(fails, (3,), callback=got.append, error_callback=errors.append)
        r.wait(LONG)
        self.assertEqual(len(errors), 1, errors)
        self.assertIsInstance(errors[0], KeyError)
        self.assertEqual(got, [])
        self.assertFalse(r.successful())

    def test_get_raises_the_workers_exception_caused_by_its_remote_traceback(self):
        r = self.pool.apply_async(fails, (3,))
        with self.assertRaises(KeyError) as e:
            r.get(LONG)
        self.assertEqual(e.exception.args, ('bad 3',))
        cause = e.exception.__cause__
        self.assertEqual(type(cause).__name__, 'RemoteTraceback')
        self.assertIn('in fails', str(cause))

    def test_map_raises_the_first_error(self):
        with self.assertRaises(KeyError):
            self.pool.map(fails, range(5))

    def test_get_times_out_while_the_task_runs_and_its_result_comes_later(self):
        r = self.pool.apply_async(slow, (3,))
        with self.assertRaises(mp.TimeoutError):
            r.get(0.1)
        self.assertFalse(r.ready())
        self.assertEqual(r.get(LONG), 3)

    def test_successful_before_ready_is_a_value_error(self):
        r = self.pool.apply_async(slow, (2,))
        with self.assertRaises(ValueError):
            r.successful()
        r.wait(LONG)


class PoolLifeTest(unittest.TestCase):
    def test_default_size_follows_cpu_count(self):
        pool = mp.Pool()
        try:
            self.assertEqual(pool._processes, os.cpu_count())
        finally:
            pool.terminate()
            pool.join()

    def test_maxtasksperchild_replaces_the_worker_after_each_task(self):
        with mp.Pool(1, maxtasksperchild=1) as pool:
            pids = [pool.apply(os.getpid) for _ in range(2)]  # each worker is a JVM
        self.assertNotEqual(pids[0], pids[1])

    def test_a_worker_killed_from_outside_is_replaced_and_the_pool_goes_on(self):
        # As in CPython; the task it ran is lost, so close() + join() would wait forever:
        # terminate(). Killed inside a task, not while it holds the task queue's lock.
        running = mp.Queue()
        pool = mp.Pool(2, initializer=init, initargs=(running,))
        try:
            before = {p.pid for p in pool._pool}
            lost = [pool.apply_async(announces_then_sleeps, (3,)) for _ in range(2)]  # noqa: F841
            victim = running.get(timeout=LONG)
            os.kill(victim, signal.SIGKILL)
            after = set()

            def replaced():
                after.clear()
                after.update(pool.map(pid_after, [0.2] * 6))
                return victim not in after and len(after) == 2
            wait_until(replaced, LONG, 0)
            self.assertIn(victim, before)
            self.assertNotIn(victim, after)
            self.assertEqual(len(after), 2, after)
            self.assertTrue(after - before, (before, after))
        finally:
            pool.terminate()
            pool.join()

    def test_a_terminated_pool_refuses_tasks(self):
        pool = mp.Pool(1)
        pool.terminate()
        pool.join()
        with self.assertRaises(ValueError):
            pool.apply(add, (1, 2))

    def test_terminate_stops_workers_at_once_with_tasks_running(self):
        running = mp.Queue()
        pool = mp.Pool(2, initializer=init, initargs=(running,))
        workers = list(pool._pool)
        pool.map_async(announces_then_sleeps, [30, 30], chunksize=1)
        self.assertEqual(len({running.get(timeout=LONG) for _ in workers}), 2)
        t = time.monotonic()
        pool.terminate()
        pool.join()
        self.assertLess(time.monotonic() - t, 10)
        self.assertEqual([p.is_alive() for p in workers], [False, False], [p.exitcode for p in workers])


class ThreadPoolTest(unittest.TestCase):
    def test_map_and_apply_run_in_this_process(self):
        with ThreadPool(3) as tp:
            self.assertEqual(tp.map(square, range(10)), [x * x for x in range(10)])
            self.assertEqual(tp.apply(os.getpid), os.getpid())


if __name__ == '__main__':
    unittest.main()
