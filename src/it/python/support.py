"""What the behaviour tests and test programs share (imported from this folder, which is on
sys.path as a script's folder is, under polyproc and python3 alike)."""
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time

ON_POLYPROC = sys.implementation.name == 'graalpy'
# A program run by the polyproc server (BehavioursIT.forkserverServed): no interpreter options.
SERVED = os.environ.get('POLYPROC_TEST_SERVED') == '1'
# Generous: a child JVM can take many seconds to boot on a loaded 2-core machine.
LONG = 120

# What prepare_world() set up, for the tests that check that a child sees the same world.
WORLD = {}

# The main class of a child JVM: what tells a worker JVM in /proc/PID/cmdline. The one place
# that names it (a rename of the Java package is a change of this line).
WORKER_MAIN_CLASS = b'polyproc.worker.WorkerMain'


def prepare_world(method):
    """Run by run_behaviours.py before any test module is imported and before the first child:
    what a child must inherit (environment, directory, sys.path, JVM options) and what the
    default start method was before the runner chose one."""
    from multiprocessing import context
    fresh = type(context._default_context)(context._default_context._default_context)
    WORLD['default_method_unset'] = fresh.get_start_method(allow_none=True) is None
    WORLD['default_method'] = fresh.get_context().get_start_method()
    os.environ['POLYPROC_TEST_VAR'] = 'from-parent'
    # Children's JVM options: a heap far below the default (a quarter of the memory) and a marker.
    # Not in a program run by the polyproc server (BehavioursIT): its forkserver children are the
    # server's workers only while they have no JVM options of their own.
    if not SERVED:
        os.environ['POLYPROC_CHILD_JAVA_OPTIONS'] = '-Xmx1g -Dpolyproc.test.child=marked'
    sys.path.append('/nonexistent/added-by-parent')
    WORLD['cwd'] = os.path.realpath(tempfile.mkdtemp(prefix='pp-behaviours-'))
    os.environ['EXPECT_CWD'] = WORLD['cwd']
    os.chdir(WORLD['cwd'])
    WORLD['method'] = method
    mp.set_start_method(method, force=True)


def clean_world():
    """Removes what prepare_world made on disk (the children have ended)."""
    os.chdir('/')
    shutil.rmtree(WORLD['cwd'], ignore_errors=True)


def worker_pids(exclude=()):
    """Worker JVMs whose parent is this process, other than exclude: the forkserver's idle ones."""
    found = set()
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in exclude:
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                is_worker = WORKER_MAIN_CLASS in f.read()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid() and fields[0] != 'Z' and is_worker:
            found.add(int(entry))
    return found


def wait_until(condition, timeout=LONG, interval=0.05):
    """condition()'s first true value, polled until timeout seconds; its last value otherwise."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = condition()
    return value


def wait_for_workers(count, exclude=(), timeout=60):
    """The idle workers once there are at least count of them (the forkserver boots its
    replacements shortly after a start()), or those there are after timeout seconds."""
    found = set()

    def enough():
        found.clear()
        found.update(worker_pids(exclude))
        return len(found) >= count
    wait_until(enough, timeout, 0.1)
    return set(found)
