"""The Python side of a child process (polyproc.worker.WorkerMain runs main())."""

import os
import signal

# The descriptors that came with the task, in the order the parent's Popen listed them.
inherited_fds = []


def _ignore_signal(signum, frame):
    pass


def main(fd, forkserver_worker, preparation):
    """A forkserver worker prepares what preparation names and says it is ready; then wait for
    the task on the bootstrap socket fd, run its Process; return the exit code."""
    if forkserver_worker:
        # An idle worker ignores ^C in the terminal, as CPython's forkserver does. Not with
        # SIG_IGN: the Process's handler would then pass through the default action for a
        # moment (polyproc.signals), where a ^C would end the child.
        signal.signal(signal.SIGINT, _ignore_signal)
        from polyproc import forkserver
        forkserver.prepare_worker(preparation)
        os.write(fd, b'R')  # Bootstrap.READY: the parent's pool counts a start() that finds none ready
    return run_task(fd, restore_sigint=forkserver_worker)


def run_task(fd, restore_sigint):
    """Waits for the task on the bootstrap socket fd and runs its Process; the exit code."""
    from polyproc import _java
    fds = list(_java.worker.receiveTask(fd))
    if restore_sigint:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    from multiprocessing import resource_tracker, spawn
    resource_tracker._resource_tracker._fd = fds[0]
    inherited_fds[:] = fds[1:]
    # The parent keeps its end of the socket until this process ends: a duplicate of ours is
    # the parent sentinel, readable (end of file) once the parent is gone.
    parent_sentinel = os.dup(fd)
    # _bootstrap returns SystemExit's code when it is an int: True and False are ints too.
    return int(spawn._main(fd, parent_sentinel))

