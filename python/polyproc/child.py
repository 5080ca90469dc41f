"""The Python side of a child process (polyproc.worker.ChildMain runs main())."""

import os
import signal
import sys

# The descriptors that came with the task, in the order the parent's Popen listed them.
inherited_fds = []


def _ignore_signal(signum, frame):
    pass


def main(fd, boot_data):
    """Prepare what boot_data names (a forkserver worker), wait for the task on the bootstrap
    socket fd, run its Process; return the exit code."""
    if boot_data:
        # An idle worker ignores ^C in the terminal, as CPython's forkserver does. Not with
        # SIG_IGN: GraalPy 25.0.3 never delivers SIGINT again after SIG_IGN was set once.
        signal.signal(signal.SIGINT, _ignore_signal)
        from polyproc import forkserver
        forkserver.prepare_worker(boot_data)
        os.write(fd, b'R')  # ready: the parent's pool counts a start() that finds none ready
    import polyproc
    fds = [int(n) for n in polyproc.java_runtime().receiveTask(fd).split()]
    if boot_data:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    from multiprocessing import resource_tracker, spawn
    resource_tracker._resource_tracker._fd = fds[0]
    inherited_fds[:] = fds[1:]
    # The parent keeps its end of the socket until this process ends: a duplicate of ours is
    # the parent sentinel, readable (end of file) once the parent is gone.
    parent_sentinel = os.dup(fd)
    # _bootstrap returns SystemExit's code when it is an int: True and False are ints too.
    return int(spawn._main(fd, parent_sentinel))


def finish_like_exit():
    """In a 'spawn' child, once main() has returned: what the interpreter's exit does that a
    program can see, as sys.exit() in a CPython spawn child: wait for non-daemon threads, run
    the atexit handlers, flush the standard streams. polyproc.worker.ChildMain then ends the
    process without closing the Context: GraalPy's Context.close() also stops every daemon
    thread, which made a manager's server take 1.5 s to end after its shutdown request, and the
    stdlib terminates a server that takes over 1 s (exit code -15, semaphores left to the
    resource tracker)."""
    import atexit
    import threading
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
