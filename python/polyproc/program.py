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
_PRELOAD = ['multiprocessing', 'multiprocessing.spawn', 'multiprocessing.connection',
            'multiprocessing.synchronize', 'multiprocessing.queues', 'multiprocessing.pool',
            'polyproc.popen', 'runpy', 'tempfile']


def _ignore_signal(signum, frame):
    pass


def prepare(fd):
    """While idle: ^C in the server's terminal is not this worker's; import what programs
    need; then say ready (Bootstrap.READY) on the bootstrap socket."""
    # Not SIG_IGN: GraalPy 25.0.3 never delivers SIGINT again after SIG_IGN was set once.
    signal.signal(signal.SIGINT, _ignore_signal)
    import importlib
    for name in _PRELOAD:
        importlib.import_module(name)
    os.write(fd, b'R')


def _take_environment(env, cwd):
    os.chdir(cwd)
    environ = dict(kv.split('=', 1) for kv in env if '=' in kv[1:])
    os.environ.clear()  # unsetenv/putenv underneath: the process environment follows
    os.environ.update(environ)
    # What modules imported while idle took from the worker's directory and environment:
    import tempfile
    tempfile.tempdir = None  # found again from this environment's TMPDIR on first use


def run_child(env, cwd, fd):
    """Lent to a served program as a forkserver child: take the program's environment and
    directory (as its own forkserver's worker would have them), then run the Process that comes
    on the bootstrap socket fd; the exit code."""
    _take_environment(env, cwd)
    from polyproc import worker
    return worker.run_task(fd, restore_sigint=True)


def enter(argv, env, cwd, script):
    """Makes the interpreter the command's: directory, environment (os.environ and the process's
    own, which subprocess and children inherit), sys.argv, sys.path[0] and, for a script,
    __main__'s __file__; ^C raises KeyboardInterrupt again. The standard streams are the
    worker's objects on descriptors 0-2, which are the command's now: isatty() and input() ask
    the descriptors, so a terminal is a terminal."""
    _take_environment(env, cwd)
    from multiprocessing import process
    process.ORIGINAL_DIR = os.getcwd()  # children find a relative __main__.__file__ from it
    sys.argv[:] = list(argv)
    if script is not None:
        # As python3 and GraalPy's own launcher: the script's folder first on the path.
        sys.path[0] = os.path.dirname(os.path.realpath(script))
        import __main__
        __main__.__file__ = script
    signal.signal(signal.SIGINT, signal.default_int_handler)
