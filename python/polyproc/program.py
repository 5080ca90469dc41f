"""The Python side of a program run by the polyproc server (polyproc.worker.ProgramWorker).

A server's worker boots before any command asks for it, with the server's directory and
environment. When a command comes, Java gives the worker the command's descriptors 0-2, umask,
nice value and resource limits; enter() makes the rest of the interpreter the command's: what a
fresh `polyproc` command would have had from its first line on.
"""

import os
import signal
import sys

# What every program is likely to need, imported while the worker waits (as a forkserver
# worker's preparation does): the interpreter's start-up beyond the Context, and multiprocessing.
# A lent child needs pkgutil too: runpy.run_path imports it (and it imports typing) when the
# child imports the program's script as __mp_main__. Left to the child that took 0.25-0.3 s
# alone, ~1.2 s with four children on 2 cores; Pool(4) + map of 100 tiny tasks (probe in
# docs/performance.md) went from 3.3-4.0 s to 1.4-1.6 s. A program's first start() imports
# polyproc.forkserver (and json): 0.07 s alone, ~0.14 s in that probe.
_PRELOAD = ['multiprocessing', 'multiprocessing.spawn', 'multiprocessing.connection',
            'multiprocessing.synchronize', 'multiprocessing.queues', 'multiprocessing.pool',
            'multiprocessing.resource_tracker', 'polyproc.forkserver', 'polyproc.popen',
            'polyproc.worker', 'runpy', 'pkgutil', 'tempfile']


# What GraalPy's start-up put in os.environ beyond the process's environment: a direct run has
# it too, so the command's environment gets it as well.
_added_at_start = {}
# Modules that import multiprocessing.util, whose import registers its exit function.
_util_importers = set()


def _ignore_signal(signum, frame):
    pass


def _process_environment():
    with open('/proc/self/environ', 'rb') as f:
        return {os.fsdecode(kv.split(b'=', 1)[0]) for kv in f.read().split(b'\0') if b'=' in kv}


def prepare():
    """While idle: ^C in the server's terminal is not this worker's; import what programs
    need; warm the compiler. The worker says ready afterwards (ProgramWorker)."""
    # Not SIG_IGN: the program's handler would then pass through the default action for a
    # moment (polyproc.signals), where a ^C would end it.
    signal.signal(signal.SIGINT, _ignore_signal)
    initial = _process_environment()
    _added_at_start.update((k, v) for k, v in os.environ.items() if k not in initial)
    import atexit
    import importlib
    for name in _PRELOAD:
        importlib.import_module(name)
    # multiprocessing.util registers its exit function (which terminates daemonic children and
    # joins the others) when it is imported. Here that would be before any of the program's own
    # atexit handlers, so it would run after them all; a program imports it at its first use of
    # multiprocessing, so the function is registered again then (_register_at_first_import).
    from multiprocessing import util
    atexit.unregister(util._exit_function)
    _util_importers.add('multiprocessing.util')
    _util_importers.update(name for name, module in list(sys.modules.items())
                           if name.startswith(('multiprocessing', 'polyproc')) and module is not None
                           and any(value is util for value in vars(module).values()))
    # Taking a command's environment is the first thing every hand-off runs: run once, with
    # the worker's own, it took a lent child ~40 ms afterwards instead of 60-70 ms.
    _take_environment(['%s=%s' % kv for kv in os.environ.items()], os.getcwd())
    _warm_compiler()


def _exercise(n):
    """What most Python code does: loops, calls, str, int, list and dict operations."""
    total = 0
    for i in range(n):
        text = str(i * 7)
        parts = (text + ',' + text).split(',')
        total += int(parts[0]) % 97 + len(parts)
        total += {'key': i}['key'] + sum([i, i + 1])
    return total


def _warm_compiler():
    """Runs Python code until Graal has compiled it. The Graal compiler is Java code that a fresh
    JVM has not compiled yet, so a fresh worker's first compilations are slow (a Pool task's
    function: 1.6 s cold, 0.35 s warm, first tier) and its tasks run interpreted meanwhile. Done
    here, while the machine is idle (~4.5 s until _exercise runs compiled). With the single tier
    (bin/polyproc), bench/server.py's imap_unordered small program ran at 1.7-2.2x python3 (2.5x
    before; docs/performance.md)."""
    import time
    deadline = time.perf_counter() + 10  # a partial warm-up still helps
    start = time.perf_counter()
    _exercise(1000)
    interpreted = time.perf_counter() - start
    compiled_runs = 0
    while compiled_runs < 10 and time.perf_counter() < deadline:
        start = time.perf_counter()
        _exercise(1000)
        # Compiled code runs this ~100x faster than the interpreter: count those runs.
        compiled_runs = compiled_runs + 1 if time.perf_counter() - start < interpreted / 10 else 0


def _take_environment(env, cwd):
    os.chdir(cwd)
    environ = dict(_added_at_start)
    environ.update(kv.split('=', 1) for kv in env if '=' in kv[1:])
    os.environ.clear()  # unsetenv/putenv underneath: the process environment follows
    os.environ.update(environ)
    # What modules imported while idle took from the worker's directory and environment:
    import tempfile
    tempfile.tempdir = None  # found again from this environment's TMPDIR on first use


def _register_at_first_import():
    """Registers multiprocessing.util's exit function when the program first imports a module
    that imports multiprocessing.util (through the import statement, as `from . import util`
    inside multiprocessing does too), as a fresh interpreter would."""
    import atexit
    import builtins
    from multiprocessing import util
    original = builtins.__import__

    def import_(name, globals=None, locals=None, fromlist=(), level=0):
        full = name
        if level:
            package = (globals or {}).get('__package__') or ''
            base = package.rsplit('.', level - 1)[0] if level > 1 else package
            full = base + '.' + name if name else base
        if full in _util_importers or any(full + '.' + f in _util_importers for f in fromlist or ()):
            builtins.__import__ = original
            atexit.register(util._exit_function)
        return original(name, globals, locals, fromlist, level)

    builtins.__import__ = import_


def run_child(env, cwd, fd):
    """Lent to a served program as a forkserver child: take the program's environment and
    directory (as its own forkserver's worker would have them), then run the Process that comes
    on the bootstrap socket fd; the exit code."""
    _take_environment(env, cwd)
    from multiprocessing import util
    import atexit
    atexit.register(util._exit_function)  # a child has imported it before its Process runs
    from polyproc import worker
    return worker.run_task(fd, restore_sigint=True)


def enter(argv, env, cwd, script):
    """Makes the interpreter the command's: directory, environment (os.environ and the process's
    own, which subprocess and children inherit), sys.argv, sys.path[0] and, for a script,
    __main__'s __file__; ^C raises KeyboardInterrupt again. The standard streams are the
    worker's objects on descriptors 0-2, which are the command's now: isatty() and input() ask
    the descriptors, so a terminal is a terminal."""
    _take_environment(env, cwd)
    _register_at_first_import()
    from multiprocessing import process
    process.ORIGINAL_DIR = os.getcwd()  # children find a relative __main__.__file__ from it
    sys.argv[:] = list(argv)
    if script is not None:
        # As python3 and GraalPy's own launcher: the script's folder first on the path.
        sys.path[0] = os.path.dirname(os.path.realpath(script))
        import __main__
        __main__.__file__ = script
    signal.signal(signal.SIGINT, signal.default_int_handler)
