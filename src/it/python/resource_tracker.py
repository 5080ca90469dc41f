"""The resource tracker behaves as CPython's (python3 passes this script too): the program may
os.waitpid() it, SIGINT and SIGTERM do not kill it even right after its start, a killed one is
started again with a warning, and when it ends it reports every name still registered, a name
that is already gone with the error its removal met. No child process needed."""

import multiprocessing as mp
import os
import signal
import sys
import tempfile
import time
import warnings
from multiprocessing import resource_tracker

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print('FAILED:', what, flush=True)


def tracker():
    return resource_tracker._resource_tracker


def killed_tracker_is_the_programs_to_wait_for():
    tracker().ensure_running()
    pid = tracker()._pid
    os.kill(pid, signal.SIGKILL)
    waited, status = os.waitpid(pid, 0)
    check(waited == pid and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
          'os.waitpid() of the killed tracker: %r' % ((waited, status),))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        tracker().ensure_running()
    check([str(w.message) for w in caught] == [
        'resource_tracker: process died unexpectedly, relaunching.  Some resources might leak.'],
        'one warning when a dead tracker is replaced: %r' % [str(w.message) for w in caught])
    check(tracker()._pid not in (None, pid), 'a new tracker')


def interrupts_do_not_kill_it():
    # Sent at once: the tracker must not die before it has set them to ignored.
    tracker().ensure_running()
    pid = tracker()._pid
    for _ in range(3):
        os.kill(pid, signal.SIGINT)
        os.kill(pid, signal.SIGTERM)
    time.sleep(0.5)
    check(os.waitpid(pid, os.WNOHANG) == (0, 0), 'the tracker survives SIGINT and SIGTERM')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        sem = mp.Semaphore()
        sem.acquire()
        sem.release()
        del sem
    check(caught == [], 'no warning after the signals: %r' % [str(w.message) for w in caught])
    check(tracker()._pid == pid, 'still the same tracker')


def leaked_names_are_reported_at_the_end():
    # A tracker of our own, its standard error (inherited at its start) a file.
    own = resource_tracker.ResourceTracker()
    tag = 'pp-rt-%d' % os.getpid()
    present = {'semaphore': '/%s-sem-present' % tag, 'shared_memory': '/%s-shm-present' % tag}
    gone = {'semaphore': '/%s-sem-gone' % tag, 'shared_memory': '/%s-shm-gone' % tag}
    files = {'/dev/shm/sem.' + present['semaphore'][1:], '/dev/shm/' + present['shared_memory'][1:]}
    for path in files:
        open(path, 'w').close()
    with tempfile.TemporaryFile() as err:
        saved = os.dup(2)
        os.dup2(err.fileno(), 2)
        try:
            own.ensure_running()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        for rtype in ('semaphore', 'shared_memory'):
            own.register(present[rtype], rtype)
            own.register(gone[rtype], rtype)
        own.register('/%s-unregistered' % tag, 'semaphore')
        own.unregister('/%s-unregistered' % tag, 'semaphore')
        own._stop()
        err.seek(0)
        text = err.read().decode()
    for path in files:
        check(not os.path.exists(path), path + ' removed at the end')
    for rtype in ('semaphore', 'shared_memory'):
        check('resource_tracker: There appear to be 2 leaked %s objects' % rtype in text,
              'two leaked %s objects reported: %r' % (rtype, text))
        check('resource_tracker: %r: [Errno 2]' % gone[rtype] in text,
              'the one already gone reported with its error: %r' % text)
    check('unregistered' not in text, 'an unregistered name is not reported: %r' % text)


if __name__ == '__main__':
    killed_tracker_is_the_programs_to_wait_for()
    interrupts_do_not_kill_it()
    leaked_names_are_reported_at_the_end()
    if failures:
        sys.exit('%d check(s) failed' % len(failures))
    print('ALL OK')
