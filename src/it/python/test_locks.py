"""multiprocessing's SemLock semantics within one process, as CPython's (python3 passes these
too). Between processes: test_communication (a lock held across processes, a Condition, a
Barrier) and test_sharedctypes (increments under a lock by three children, none lost)."""
import multiprocessing as mp
import os
import signal
import threading
import time
import unittest

import support


def elapsed(since):
    return time.monotonic() - since


class LockTest(unittest.TestCase):
    def setUp(self):
        self.lock = mp.Lock()

    def test_is_a_named_semaphore_only_its_owner_can_open(self):
        name = self.lock._semlock.name
        self.assertTrue(name is not None and name.startswith('/mp-'), name)
        self.assertEqual(os.stat('/dev/shm/sem.' + name[1:]).st_mode & 0o777, 0o600)

    def test_acquire_of_a_free_lock_succeeds(self):
        self.assertIs(self.lock.acquire(), True)

    def test_non_blocking_acquire_of_a_held_lock_fails(self):
        self.lock.acquire()
        self.assertIs(self.lock.acquire(False), False)
        self.assertIs(self.lock.acquire(block=False), False)

    def test_negative_timeout_is_zero(self):
        self.lock.acquire()
        self.assertIs(self.lock.acquire(timeout=-1), False)

    def test_timeout_is_honoured(self):
        self.lock.acquire()
        t0 = time.monotonic()
        self.assertIs(self.lock.acquire(timeout=0.3), False)
        self.assertTrue(0.29 <= elapsed(t0) < 5, elapsed(t0))

    def test_str_timeout_is_a_type_error(self):
        self.lock.acquire()
        with self.assertRaises(TypeError) as e:
            self.lock.acquire(timeout='1')
        self.assertEqual(str(e.exception), 'must be real number, not str')

    def test_infinite_and_nan_timeouts_are_einval(self):
        self.lock.acquire()
        for bad in (float('inf'), float('nan')):
            with self.subTest(timeout=bad), self.assertRaises(OSError) as e:
                self.lock.acquire(timeout=bad)
            self.assertEqual(e.exception.errno, 22)

    def test_huge_timeout_waits_for_the_release(self):
        self.lock.acquire()
        releaser = threading.Timer(0.2, self.lock.release)
        releaser.start()
        self.assertTrue(self.lock.acquire(timeout=1e12))
        releaser.join()

    def test_release_of_an_unlocked_lock_is_a_value_error(self):
        with self.assertRaises(ValueError) as e:
            self.lock.release()
        self.assertEqual(str(e.exception), 'semaphore or lock released too many times')

    def test_sleeping_acquire_wakes_on_release_from_another_thread(self):
        self.lock.acquire()
        releaser = threading.Timer(0.2, self.lock.release)
        t0 = time.monotonic()
        releaser.start()
        self.assertTrue(self.lock.acquire(timeout=30))
        self.assertTrue(0.19 <= elapsed(t0) < 1.5, elapsed(t0))
        releaser.join()


@unittest.skipUnless(threading.current_thread() is threading.main_thread(), 'signals reach the main thread')
class SignalsInAcquireTest(unittest.TestCase):
    """A thread blocked in acquire runs signal handlers, as in CPython: a handler that returns
    lets the wait go on; Ctrl-C's KeyboardInterrupt ends it. The signal is sent only once the
    main thread is inside acquire() (a helper thread waits for that), so these check the
    handler's delivery and not the timing of the send."""

    def setUp(self):
        self.lock = mp.Lock()
        self.lock.acquire()

    def send_when_waiting(self, sig, waiting):
        def sender():
            waiting.wait(30)
            time.sleep(0.05)  # the main thread is past the Event and into acquire()'s wait
            os.kill(os.getpid(), sig)
        t = threading.Thread(target=sender)
        t.start()
        return t

    def test_handler_runs_and_the_wait_goes_on(self):
        handled_at = []
        handled = threading.Event()

        def handler(signum, frame):
            handled_at.append(time.monotonic())
            handled.set()
        previous = signal.signal(signal.SIGUSR1, handler)
        self.addCleanup(signal.signal, signal.SIGUSR1, previous)
        waiting = threading.Event()
        sender = self.send_when_waiting(signal.SIGUSR1, waiting)

        def release_after_the_handler():  # not on a timer: a loaded machine may send late
            handled.wait(30)
            time.sleep(0.5)
            self.lock.release()
        releaser = threading.Thread(target=release_after_the_handler)
        releaser.start()
        waiting.set()
        self.assertTrue(self.lock.acquire(timeout=30))
        self.assertEqual(len(handled_at), 1)
        # The wait went on after the handler returned, until the release.
        self.assertGreaterEqual(elapsed(handled_at[0]), 0.45)
        sender.join()
        releaser.join()

    def test_keyboard_interrupt_ends_the_wait_within_seconds(self):
        waiting = threading.Event()
        sender = self.send_when_waiting(signal.SIGINT, waiting)
        t0 = time.monotonic()
        with self.assertRaises(KeyboardInterrupt):
            waiting.set()
            self.lock.acquire(timeout=30)
        # 30 s here means the SIGINT reached no Python code during the whole wait.
        self.assertLess(elapsed(t0), 5)
        sender.join()

    def test_keyboard_interrupt_keeps_the_lock_consistent(self):
        """A SIGINT that lands just as another thread releases: either acquire() got the lock
        (and this thread owns it) or it raised and the lock is free; never a unit taken with
        no owner (the wait's success and the owner's count must be one step, with no Python
        code, where a handler can raise, in between)."""
        delivered = []

        def interrupt(signum, frame):
            delivered.append(signum)
            raise KeyboardInterrupt
        previous = signal.signal(signal.SIGINT, interrupt)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        sem = self.lock._semlock
        for round_ in range(10):
            with self.subTest(round=round_):
                waiting = threading.Event()
                sender = self.send_when_waiting(signal.SIGINT, waiting)
                releaser = threading.Timer(0.05 + 0.002 * round_, self.lock.release)
                releaser.start()
                # One try around the wait and the time until this round's SIGINT has been
                # handled (late on a loaded machine, so that it cannot land in the next round):
                # the signal is sent once waiting is set, and the handler records it before it
                # raises, once per round, so its KeyboardInterrupt comes in here wherever it lands.
                deadline = time.monotonic() + support.LONG
                try:
                    waiting.set()
                    self.lock.acquire(timeout=30)
                    while len(delivered) <= round_ and time.monotonic() < deadline:
                        time.sleep(0.01)
                except KeyboardInterrupt:
                    pass
                releaser.join()
                sender.join()
                self.assertEqual(len(delivered), round_ + 1, 'each SIGINT handled once')
                # The KeyboardInterrupt may also come just after acquire() returned True (as in
                # CPython: the handler runs at the next bytecode), so whether it raised does not tell.
                if sem._count() == 0:
                    self.assertTrue(self.lock.acquire(timeout=5), 'the released unit is still there')
                self.assertTrue(sem._is_mine())
                self.assertEqual(sem._count(), 1)


class RLockTest(unittest.TestCase):
    def test_release_of_an_rlock_not_owned_is_an_assertion_error(self):
        with self.assertRaises(AssertionError) as e:
            mp.RLock().release()
        self.assertEqual(str(e.exception), 'attempt to release recursive lock not owned by thread')

    def test_rlock_is_reentrant_and_excludes_other_threads(self):
        rlock = mp.RLock()
        with rlock:
            with rlock:
                self.assertEqual(rlock._semlock._count(), 2)
                self.assertTrue(rlock._semlock._is_mine())
            other = []
            t = threading.Thread(target=lambda: other.append((rlock.acquire(timeout=0.1), rlock._semlock._is_mine())))
            t.start()
            t.join()
            self.assertEqual(other, [(False, False)])
        self.assertEqual(rlock._semlock._count(), 0)
        self.assertTrue(rlock.acquire(False))
        rlock.release()


class SemaphoreTest(unittest.TestCase):
    def test_semaphore_counts_and_is_unbounded(self):
        sem = mp.Semaphore(2)
        self.assertEqual(sem.get_value(), 2)
        self.assertTrue(sem.acquire())
        self.assertEqual(sem.get_value(), 1)
        sem.release()
        sem.release()
        self.assertEqual(sem.get_value(), 3)

    def test_bounded_semaphore_refuses_a_release_above_its_bound(self):
        bounded = mp.BoundedSemaphore(2)
        bounded.acquire()
        bounded.release()
        with self.assertRaises(ValueError):
            bounded.release()
        self.assertEqual(bounded.get_value(), 2)

    def test_negative_semaphore_is_einval(self):
        with self.assertRaises(OSError) as e:
            mp.Semaphore(-1)
        self.assertEqual(e.exception.errno, 22)

    def test_semaphore_above_sem_value_max_is_refused(self):
        with self.assertRaises((OSError, OverflowError)):
            mp.Semaphore(2 ** 31)


class StdlibTypesOnSemLockTest(unittest.TestCase):
    """The stdlib's Condition, Event and Barrier on top of SemLock, within threads."""

    def test_condition_wait_for(self):
        cond, box = mp.Condition(), []

        def notifier():
            with cond:
                box.append(1)
                cond.notify_all()
        with cond:
            threading.Timer(0.1, notifier).start()
            self.assertTrue(cond.wait_for(lambda: box, timeout=30))

    def test_event(self):
        event = mp.Event()
        threading.Timer(0.1, event.set).start()
        self.assertTrue(event.wait(30))
        self.assertTrue(event.is_set())

    def test_barrier(self):
        barrier = mp.Barrier(2, timeout=30)
        t = threading.Thread(target=barrier.wait)
        t.start()
        self.assertIn(barrier.wait(), (0, 1))
        t.join()


if __name__ == '__main__':
    unittest.main()
