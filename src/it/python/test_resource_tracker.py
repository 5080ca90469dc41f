"""The resource tracker behaves as CPython's (python3 passes these too): the program may
os.waitpid() it, SIGINT and SIGTERM do not kill it even right after its start, a killed one is
started again with a warning, and when it ends it reports every name still registered, a name
that is already gone with the error its removal met. No child process needed.

Each test starts a tracker of its own (the same class as the program's): the program's tracker
serves the other modules' children. That nothing throws in Java's threads meanwhile (no
"Exception in thread" on the program's stderr) is checked by BehavioursIT."""
import os
import signal
import tempfile
import time
import unittest
import warnings
from multiprocessing import resource_tracker


class TrackerTest(unittest.TestCase):
    def setUp(self):
        self.tracker = resource_tracker.ResourceTracker()
        self.addCleanup(self.tracker._stop)

    def ensure_running(self):
        """Starts or checks the tracker; the text of the warnings that gives."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            self.tracker.ensure_running()
        return [str(w.message) for w in caught]

    def test_a_killed_tracker_is_the_programs_to_os_waitpid(self):
        self.tracker.ensure_running()
        pid = self.tracker._pid
        os.kill(pid, signal.SIGKILL)
        waited, status = os.waitpid(pid, 0)
        self.assertEqual(waited, pid)
        self.assertTrue(os.WIFSIGNALED(status), status)
        self.assertEqual(os.WTERMSIG(status), signal.SIGKILL)
        self.ensure_running()  # a live one again, for the cleanup's _stop()

    def test_a_dead_tracker_is_replaced_with_one_warning(self):
        self.tracker.ensure_running()
        pid = self.tracker._pid
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)  # dead for sure: a SIGKILL is not delivered at once
        self.assertEqual(self.ensure_running(), [
            'resource_tracker: process died unexpectedly, relaunching.  Some resources might leak.'])
        self.assertNotIn(self.tracker._pid, (None, pid))

    def test_sigint_and_sigterm_right_after_its_start_do_not_kill_it(self):
        # Sent at once: the tracker must not die before it has set them to ignored.
        self.tracker.ensure_running()
        pid = self.tracker._pid
        for _ in range(3):
            os.kill(pid, signal.SIGINT)
            os.kill(pid, signal.SIGTERM)
        # Nothing to wait for: a tracker that the signals kill dies within this.
        time.sleep(0.5)
        self.assertEqual(os.waitpid(pid, os.WNOHANG), (0, 0), 'the tracker survives SIGINT and SIGTERM')
        name = '/pp-rt-%d-after-signals' % os.getpid()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            self.tracker.register(name, 'semaphore')  # each checks that the tracker is alive
            self.tracker.unregister(name, 'semaphore')
        self.assertEqual([str(w.message) for w in caught], [], 'no relaunch after the signals')
        self.assertEqual(self.tracker._pid, pid)


class FinalReportTest(unittest.TestCase):
    """A tracker of our own, its standard error (inherited at its start) a file, ended by
    _stop() as at the program's end: what it reports and removes."""

    @classmethod
    def setUpClass(cls):
        tracker = resource_tracker.ResourceTracker()
        tag = 'pp-rt-%d' % os.getpid()
        cls.present = {'semaphore': '/%s-sem-present' % tag, 'shared_memory': '/%s-shm-present' % tag}
        cls.gone = {'semaphore': '/%s-sem-gone' % tag, 'shared_memory': '/%s-shm-gone' % tag}
        cls.files = ['/dev/shm/sem.' + cls.present['semaphore'][1:], '/dev/shm/' + cls.present['shared_memory'][1:]]
        for path in cls.files:
            open(path, 'w').close()
        with tempfile.TemporaryFile() as err:
            saved = os.dup(2)
            os.dup2(err.fileno(), 2)
            try:
                tracker.ensure_running()
            finally:
                os.dup2(saved, 2)
                os.close(saved)
            for rtype in ('semaphore', 'shared_memory'):
                tracker.register(cls.present[rtype], rtype)
                tracker.register(cls.gone[rtype], rtype)
            tracker.register('/%s-unregistered' % tag, 'semaphore')
            tracker.unregister('/%s-unregistered' % tag, 'semaphore')
            tracker._stop()
            err.seek(0)
            cls.report = err.read().decode()

    @classmethod
    def tearDownClass(cls):
        for path in cls.files:
            if os.path.exists(path):
                os.unlink(path)

    def test_names_still_registered_are_removed(self):
        for path in self.files:
            self.assertFalse(os.path.exists(path), path)

    def test_names_still_registered_are_reported_as_leaked_by_type(self):
        for rtype in ('semaphore', 'shared_memory'):
            with self.subTest(rtype):
                self.assertIn('resource_tracker: There appear to be 2 leaked %s objects' % rtype, self.report)

    def test_a_name_already_gone_is_reported_with_its_error(self):
        for rtype in ('semaphore', 'shared_memory'):
            with self.subTest(rtype):
                self.assertIn('resource_tracker: %r: [Errno 2]' % self.gone[rtype], self.report)

    def test_an_unregistered_name_is_not_reported(self):
        self.assertNotIn('unregistered', self.report)


if __name__ == '__main__':
    unittest.main()
