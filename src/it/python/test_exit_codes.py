"""Exit codes of children, as CPython reports them. Their output (written by children here,
counted once in the program's stdout and stderr) is checked from outside by BehavioursIT:
the lines child-stdout-line, child-stderr-line, 'ValueError: boom from child', 'text for
stderr', KeyboardInterrupt and (spawn only) child-atexit-line."""
import multiprocessing as mp
import os
import signal
import sys
import time
import unittest

from support import LONG


def returns():
    pass


def exits(n):
    sys.exit(n)


def os_exits(n):
    os._exit(n)


def raises():
    raise ValueError('boom from child')


def exits_with_text():
    sys.exit('text for stderr')


def sleeps(ready):
    ready.set()
    time.sleep(100)


def spins(ready):
    ready.set()
    while True:
        pass


def interrupted(ready):
    ready.set()
    time.sleep(100)  # SIGINT raises KeyboardInterrupt here, as in CPython: exit code 1


def handles_after_ignoring(ready):
    # The JVM takes no handler for SIGINT while it is ignored (polyproc.signals makes it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(3))
    ready.set()
    time.sleep(100)


def registers_atexit():
    # A spawn child runs its atexit handlers as sys.exit() does; a forkserver child ends with
    # os._exit() and does not (CPython alike).
    import atexit
    atexit.register(print, 'child-atexit-line', flush=True)


def writes_unflushed():
    # Neither stream is flushed before the process ends: each line must still arrive once.
    sys.stdout.write('child-stdout-line\n')
    sys.stderr.write('child-stderr-line\n')


def exit_code(target, *args):
    p = mp.Process(target=target, args=args)
    p.start()
    p.join(LONG)
    return p.exitcode


class ExitCodeTest(unittest.TestCase):
    def test_return_is_0(self):
        self.assertEqual(exit_code(returns), 0)

    def test_sys_exit_n_is_n(self):
        self.assertEqual(exit_code(exits, 7), 7)

    def test_os_exit_n_is_n(self):
        self.assertEqual(exit_code(os_exits, 5), 5)

    def test_uncaught_exception_is_1_with_the_traceback_on_stderr(self):
        self.assertEqual(exit_code(raises), 1)

    def test_sys_exit_text_is_1_with_the_text_on_stderr(self):
        self.assertEqual(exit_code(exits_with_text), 1)

    def test_sys_exit_false_none_true(self):
        for arg, want in [(False, 0), (None, 0), (True, 1)]:
            with self.subTest(arg=arg):
                self.assertEqual(exit_code(exits, arg), want)

    def test_unflushed_output_exits_0(self):
        self.assertEqual(exit_code(writes_unflushed), 0)

    def test_atexit_handler_in_child_exits_0(self):
        self.assertEqual(exit_code(registers_atexit), 0)

    def exit_code_after_sigint(self, target):
        ready = mp.Event()
        p = mp.Process(target=target, args=(ready,))
        p.start()
        self.assertTrue(ready.wait(LONG))
        os.kill(p.pid, signal.SIGINT)
        p.join(LONG)
        return p.exitcode

    def test_sigint_in_sleep_is_keyboard_interrupt_exit_1(self):
        self.assertEqual(self.exit_code_after_sigint(interrupted), 1)

    def test_a_handler_set_after_sig_ign_runs(self):
        self.assertEqual(self.exit_code_after_sigint(handles_after_ignoring), 3)


class EndedFromOutsideTest(unittest.TestCase):
    def ended(self, target, how):
        ready = mp.Event()
        p = mp.Process(target=target, args=(ready,))
        p.start()
        self.assertTrue(ready.wait(LONG))
        t = time.monotonic()
        getattr(p, how)()
        p.join(LONG)
        return p.exitcode, time.monotonic() - t

    def test_terminate_of_a_sleeping_child_is_minus_15_within_a_second(self):
        code, took = self.ended(sleeps, 'terminate')
        self.assertEqual(code, -15)
        self.assertLess(took, 1.0)

    def test_kill_of_a_spinning_child_is_minus_9_within_a_second(self):
        code, took = self.ended(spins, 'kill')
        self.assertEqual(code, -9)
        self.assertLess(took, 1.0)


if __name__ == '__main__':
    unittest.main()
