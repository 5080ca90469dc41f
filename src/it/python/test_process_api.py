"""multiprocessing.Process API through real child processes (checked against CPython 3.12).

The world a child must see (environment, directory, sys.path, JVM options for children) is set
by run_behaviours.py (support.prepare_world) before the first child, and the program runs with
`-W ignore::DeprecationWarning` (BehavioursIT passes it)."""
import multiprocessing as mp
import os
import pickle
import sys
import time
import unittest
from multiprocessing.connection import wait

import support
from support import LONG, ON_POLYPROC, SERVED, WORLD


def report_identity(conn, expected_ppid, expected_main):
    me = mp.current_process()
    parent = mp.parent_process()
    seen = {
        'ppid': os.getppid(), 'parent': parent.pid if parent else None,
        'name': me.name, 'pid_matches': me.pid == os.getpid(),
        'main_module': getattr(sys.modules.get('__mp_main__'), '__file__', None),
        'cwd': os.getcwd(), 'env': os.environ.get('POLYPROC_TEST_VAR'),
        'last_path': sys.path[-1], 'warnoptions': sys.warnoptions, 'daemon': me.daemon,
    }
    if support.ON_POLYPROC:
        import java
        system = java.type('java.lang.System')
        seen['jit'] = 'Interpreted' not in sys.version
        seen['max_heap'] = java.type('java.lang.Runtime').getRuntime().maxMemory()
        seen['marker'] = str(system.getProperty('polyproc.test.child', ''))
    conn.send(seen)


def start_grandchild(sleep_for):
    g = mp.Process(target=time.sleep, args=(sleep_for,))
    g.start()
    g.join()
    sys.exit(0 if g.exitcode == 0 else 9)


def daemon_tries_child():
    try:
        mp.Process(target=time.sleep, args=(0,)).start()
    except AssertionError:
        sys.exit(21)
    sys.exit(22)


class Subclassed(mp.Process):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def run(self):
        sys.exit(self.value)


UNPICKLABLE_LAMBDA = lambda: None  # noqa: E731 (a lambda is pickled by name: that fails)


def make_local():
    def local_function():
        pass
    return local_function


@unittest.skipUnless(ON_POLYPROC, "polyproc's start methods")
class StartMethodsTest(unittest.TestCase):
    def test_all_start_methods_are_forkserver_and_spawn(self):
        self.assertEqual(mp.get_all_start_methods(), ['forkserver', 'spawn'])

    def test_default_start_method_is_forkserver(self):
        self.assertTrue(WORLD['default_method_unset'])
        self.assertEqual(WORLD['default_method'], 'forkserver')

    def test_fork_is_a_value_error_naming_the_methods_that_exist(self):
        with self.assertRaises(ValueError) as e:
            mp.get_context('fork')
        self.assertIn("'forkserver', 'spawn'", str(e.exception))


class MisuseTest(unittest.TestCase):
    """Misuse raises what CPython raises, before any child exists."""

    def test_join_before_start_is_an_assertion_error(self):
        with self.assertRaises(AssertionError):
            mp.Process(target=time.sleep, args=(0,)).join()

    def test_close_before_start_is_allowed(self):
        mp.Process(target=time.sleep, args=(0,)).close()

    def test_group_must_be_none(self):
        with self.assertRaises(AssertionError):
            mp.Process(group=1)

    def test_unpicklable_targets_fail_in_start_and_the_parent_goes_on(self):
        with open(__file__) as open_file:
            for what, target, args, expected in [
                    ('lambda', UNPICKLABLE_LAMBDA, (), pickle.PicklingError),
                    ('local function', make_local(), (), AttributeError),
                    ('open file', time.sleep, (open_file,), TypeError)]:
                with self.subTest(what):
                    with self.assertRaises(Exception) as e:
                        mp.Process(target=target, args=args).start()
                    self.assertIs(type(e.exception), expected, repr(e.exception))


class ChildWorldTest(unittest.TestCase):
    """A child sees the parent's world: pid, parent, name, main module, directory, environment,
    sys.path, interpreter options, JVM options for children."""

    @classmethod
    def setUpClass(cls):
        ours, theirs = mp.Pipe()
        p = mp.Process(target=report_identity, args=(theirs, os.getpid(), sys.modules['__main__'].__file__),
                       name='worker')
        p.start()
        theirs.close()
        cls.seen = ours.recv() if ours.poll(LONG) else {}
        p.join(LONG)
        cls.process = p

    def test_pid_is_real_and_is_the_childs_os_getpid(self):
        self.assertTrue(isinstance(self.process.pid, int) and self.process.pid != os.getpid())
        self.assertTrue(self.seen['pid_matches'])
        self.assertEqual(self.process.ident, self.process.pid)

    def test_os_getppid_and_parent_process_are_the_parent(self):
        self.assertEqual(self.seen['parent'], os.getpid())
        if SERVED and WORLD['method'] == 'forkserver':
            # A served program's forkserver child is a worker the server lent it (its parent is
            # the server, as this program's is), or one the program booted itself.
            self.assertIn(self.seen['ppid'], (os.getpid(), os.getppid()))
        else:
            self.assertEqual(self.seen['ppid'], os.getpid())

    def test_name_given_to_process(self):
        self.assertEqual(self.seen['name'], 'worker')

    def test_main_script_is_imported_as_mp_main(self):
        self.assertEqual(os.path.basename(self.seen['main_module']),
                         os.path.basename(sys.modules['__main__'].__file__))

    def test_directory_environment_and_sys_path_of_the_parent(self):
        self.assertEqual(self.seen['cwd'], WORLD['cwd'])
        self.assertEqual(self.seen['env'], 'from-parent')
        self.assertEqual(self.seen['last_path'], '/nonexistent/added-by-parent')

    def test_interpreter_options_of_the_parent(self):
        self.assertEqual(sys.warnoptions, [] if SERVED else ['ignore::DeprecationWarning'])
        self.assertEqual(self.seen['warnoptions'], sys.warnoptions)

    @unittest.skipUnless(ON_POLYPROC, 'a JVM child')
    def test_same_graalpy_with_the_jit(self):
        self.assertTrue(self.seen['jit'])

    @unittest.skipUnless(ON_POLYPROC and not SERVED, 'a JVM child with options of its own')
    def test_jvm_options_for_children_reach_the_child(self):
        self.assertEqual(self.seen['marker'], 'marked')
        self.assertTrue(900 << 20 < self.seen['max_heap'] <= 1 << 30, self.seen['max_heap'])

    def test_child_exits_0(self):
        self.assertEqual(self.process.exitcode, 0)


class ProcessObjectTest(unittest.TestCase):
    def test_child_of_a_child(self):
        nested = mp.Process(target=start_grandchild, args=(0.1,))
        nested.start()
        nested.join(LONG)
        self.assertEqual(nested.exitcode, 0)

    def test_daemon_cannot_have_children(self):
        daemon = mp.Process(target=daemon_tries_child, daemon=True)
        daemon.start()
        daemon.join(LONG)
        self.assertEqual(daemon.exitcode, 21)

    def test_subclass_run(self):
        sub = Subclassed(33)
        sub.start()
        with self.assertRaises(AssertionError):
            sub.start()
        sub.join(LONG)
        self.assertEqual(sub.exitcode, 33)

    def test_life_of_a_process(self):
        """daemon after start refused, active_children, sentinel, join timeout, terminate within
        a second, is_alive, close."""
        sleeper = mp.Process(target=time.sleep, args=(60,))
        sleeper.start()
        with self.subTest('daemon after start refused'), self.assertRaises(AssertionError):
            sleeper.daemon = False
        with self.subTest('active children'):
            self.assertIn(sleeper, mp.active_children())
        with self.subTest('sentinel is a descriptor'):
            self.assertIsInstance(sleeper.sentinel, int)
            os.fstat(sleeper.sentinel)
        with self.subTest('join timeout honoured'):
            t = time.monotonic()
            sleeper.join(0.5)
            waited = time.monotonic() - t
            self.assertTrue(0.45 <= waited < 3, waited)
            self.assertTrue(sleeper.is_alive())
            self.assertIsNone(sleeper.exitcode)
        with self.subTest('wait() on the sentinel times out while it runs'):
            self.assertEqual(wait([sleeper.sentinel], timeout=0.1), [])
        with self.subTest('terminate within a second'):
            t = time.monotonic()
            sleeper.terminate()
            sleeper.join(LONG)
            self.assertEqual(sleeper.exitcode, -15)
            self.assertLess(time.monotonic() - t, 1.0)
        with self.subTest('the sentinel is ready once it ended'):
            self.assertEqual(wait([sleeper.sentinel], timeout=LONG), [sleeper.sentinel])
        self.assertFalse(sleeper.is_alive())
        self.assertNotIn(sleeper, mp.active_children())
        sleeper.close()
        with self.subTest('closed process refuses'), self.assertRaises(ValueError):
            sleeper.is_alive()

    def test_wait_on_sentinels_of_several_children(self):
        procs = [mp.Process(target=sys.exit, args=(n,)) for n in (3, 4)]
        for p in procs:
            p.start()
        pending = {p.sentinel: p for p in procs}
        deadline = time.monotonic() + LONG
        while pending and time.monotonic() < deadline:
            for s in wait(list(pending), timeout=LONG):
                pending.pop(s).join()
        self.assertEqual([p.exitcode for p in procs], [3, 4])


if __name__ == '__main__':
    unittest.main()
