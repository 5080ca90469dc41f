"""multiprocessing.Process API through real child processes (checked against CPython 3.12), with
the start method named in argv[1]."""
import multiprocessing as mp
import os
import sys
import time
from multiprocessing.connection import wait

from checks import CHECKS, check


def report_identity(expected_ppid):
    me = mp.current_process()
    parent = mp.parent_process()
    assert os.getppid() == expected_ppid, (os.getppid(), expected_ppid)
    assert parent is not None and parent.pid == expected_ppid
    assert me.name == 'worker' and me.pid == os.getpid()
    assert __name__ == '__mp_main__' or True
    assert sys.modules['__mp_main__'].MAIN_MARK == 'loaded'
    assert os.getcwd() == os.environ['EXPECT_CWD'], os.getcwd()
    assert os.environ.get('POLYPROC_TEST_VAR') == 'from-parent'
    assert sys.path[-1] == '/nonexistent/added-by-parent'
    # Same GraalPy, same interpreter options, same JVM options plus the children's own.
    assert 'Interpreted' not in sys.version, sys.version
    assert sys.warnoptions == ['ignore::DeprecationWarning'], sys.warnoptions
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what managers' servers do
    import java
    max_heap = java.type('java.lang.Runtime').getRuntime().maxMemory()
    assert 250 << 20 < max_heap <= 300 << 20, max_heap
    sys.exit(40 + (mp.current_process().daemon is True))


def start_grandchild(sleep_for):
    g = mp.Process(target=time.sleep, args=(sleep_for,))
    g.start()
    print('grandchild', g.pid, 'of', os.getpid(), flush=True)
    g.join()
    sys.exit(0 if g.exitcode == 0 else 9)


def daemon_tries_child():
    try:
        mp.Process(target=time.sleep, args=(0,)).start()
    except AssertionError as e:
        print('daemon refused:', e, flush=True)
        sys.exit(21)
    sys.exit(22)


class Subclassed(mp.Process):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def run(self):
        sys.exit(self.value)


MAIN_MARK = 'loaded'

if __name__ == '__main__':
    check('main name', __name__ == '__main__')
    check('start methods', mp.get_all_start_methods() == ['forkserver', 'spawn'], mp.get_all_start_methods())
    check('default method', mp.get_start_method(allow_none=True) is None
          and mp.get_context().get_start_method() == 'forkserver')
    try:
        mp.get_context('fork')
        check('fork refused', False)
    except ValueError as e:
        check('fork refused', "'forkserver', 'spawn'" in str(e), str(e))
    # The start method under test: 'forkserver' (default) or 'spawn'. The environment, directory
    # and JVM options are set below before the first start(), when the forkserver starts.
    mp.set_start_method(sys.argv[1] if len(sys.argv) > 1 else 'forkserver', force=True)

    # Misuse raises what CPython raises, before any child exists.
    p = mp.Process(target=time.sleep, args=(0,))
    for what, fn, exc in [('join before start', p.join, AssertionError),
                          ('close before start ok', None, None)]:
        if fn:
            try:
                fn()
                check(what, False)
            except exc:
                check(what, True)
    try:
        mp.Process(group=1)
        check('group must be None', False)
    except AssertionError:
        check('group must be None', True)

    # An unpicklable target fails in start(), as CPython's spawn: the parent goes on.
    import pickle
    def make_local():
        def local_function():
            pass
        return local_function
    with open(__file__) as open_file:
        for what, target, args, expected in [
                ('lambda', lambda: None, (), pickle.PicklingError),
                ('local function', make_local(), (), AttributeError),
                ('open file', time.sleep, (open_file,), TypeError)]:
            q = mp.Process(target=target, args=args)
            try:
                q.start()
                check('unpicklable %s refused' % what, False)
            except Exception as e:
                check('unpicklable %s refused' % what, type(e) is expected, repr(e))

    check('interpreter options', sys.warnoptions == ['ignore::DeprecationWarning'], sys.warnoptions)
    os.environ['POLYPROC_TEST_VAR'] = 'from-parent'
    os.environ['POLYPROC_CHILD_JAVA_OPTIONS'] = '-Xmx300m'
    sys.path.append('/nonexistent/added-by-parent')
    os.environ['EXPECT_CWD'] = os.path.realpath('/tmp')
    os.chdir('/tmp')

    ident = mp.Process(target=report_identity, args=(os.getpid(),), name='worker')
    nested = mp.Process(target=start_grandchild, args=(0.5,))
    daemon = mp.Process(target=daemon_tries_child, daemon=True)
    sub = Subclassed(33)
    sleeper = mp.Process(target=time.sleep, args=(60,))
    started = [ident, nested, daemon, sub, sleeper]
    for x in started:
        x.start()
    check('pid is real', all(isinstance(x.pid, int) and x.pid != os.getpid() for x in started))
    check('ident is pid', ident.ident == ident.pid)
    try:
        sub.start()
        check('start twice refused', False)
    except AssertionError:
        check('start twice refused', True)
    try:
        daemon.daemon = False
        check('daemon after start refused', False)
    except AssertionError:
        check('daemon after start refused', True)
    check('active children', set(mp.active_children()) >= set(started))

    # sentinel: a real descriptor that connection.wait() reports once the child ends.
    check('sentinel is fd', isinstance(sleeper.sentinel, int) and os.fstat(sleeper.sentinel) is not None)
    t = time.monotonic()
    sleeper.join(0.5)
    waited = time.monotonic() - t
    check('join timeout honoured', 0.45 <= waited < 3 and sleeper.is_alive() and sleeper.exitcode is None,
          waited)
    pending = {x.sentinel: x for x in (ident, nested, daemon, sub)}
    while pending:
        for s in wait(list(pending), timeout=120):
            pending.pop(s).join()
    check('identity in child', ident.exitcode == 40, ident.exitcode)
    check('nested child', nested.exitcode == 0, nested.exitcode)
    check('daemon has no children', daemon.exitcode == 21, daemon.exitcode)
    check('subclass run', sub.exitcode == 33, sub.exitcode)

    t = time.monotonic()
    sleeper.terminate()
    sleeper.join()
    check('terminate within a second', sleeper.exitcode == -15 and time.monotonic() - t < 1.0,
          (sleeper.exitcode, time.monotonic() - t))
    check('not alive after join', not sleeper.is_alive())
    sleeper.close()
    try:
        sleeper.is_alive()
        check('closed process refuses', False)
    except ValueError:
        check('closed process refuses', True)
    check('no active children left', mp.active_children() == [])
    print('ALL OK', len(CHECKS), flush=True)
