"""Popen classes of polyproc's start methods: 'forkserver' (the default) and 'spawn'.

As CPython's popen_spawn_posix: the parent pickles the preparation data and the Process object
with the stdlib's reduction and hands them, with the descriptors the Process needs, to a child
JVM that Java starts (spawn) or keeps booted ahead of need (forkserver: polyproc.forkserver.WorkerPool).
The child runs the stdlib's spawn._main on them (polyproc.worker). Waiting, exit codes and
signals go through Java's pidfd-based ChildProcess.
"""

import io
import os

from multiprocessing import popen_fork, reduction, spawn, util
from multiprocessing.context import set_spawning_popen

from polyproc import _java

__all__ = ['SpawnPopen', 'ForkserverPopen']


def _environment():
    return ['%s=%s' % kv for kv in os.environ.items()]


class _InheritedFd:
    """A descriptor pickled with a Process: the child finds its copy by position among those
    that came with its task (they travel over a Unix socket, SCM_RIGHTS, so their numbers
    change on the way)."""

    def __init__(self, index):
        self.index = index

    def detach(self):
        from polyproc import worker
        return worker.inherited_fds[self.index]


class SpawnPopen(popen_fork.Popen):
    method = 'spawn'
    DupFd = _InheritedFd

    def __init__(self, process_obj):
        self._fds = []
        super().__init__(process_obj)

    def duplicate_for_child(self, fd):
        self._fds.append(fd)
        return len(self._fds) - 1

    def _launch(self, process_obj):
        refusal = _java.popen.cannotStartChildrenBecause()
        if refusal is not None:
            raise RuntimeError('cannot start a child process: ' + refusal)
        from multiprocessing import resource_tracker
        tracker_fd = resource_tracker.getfd()
        prep_data = spawn.get_preparation_data(process_obj._name)
        fp = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, fp)
            reduction.dump(process_obj, fp)
        finally:
            set_spawning_popen(None)
        # The tracker's descriptor comes first; polyproc.worker takes it off the list.
        self._child = self._start_child(fp.getvalue(), [tracker_fd] + self._fds)
        self.pid = self._child.pid()
        self.sentinel = self._child.newSentinel()
        self.finalizer = util.Finalize(self, util.close_fds, (self.sentinel,))

    def _start_child(self, payload, fds):
        return _java.popen.spawn(payload, fds, _environment(), os.getcwd())

    def poll(self, flag=os.WNOHANG):
        if self.returncode is None:
            if flag != os.WNOHANG:
                # Block in select() (which lets other Python threads run), not in Java.
                from multiprocessing.connection import wait
                wait([self.sentinel])
            code = self._child.poll()
            if code is not None:
                self.returncode = code
        return self.returncode

    def _send_signal(self, sig):
        if self.returncode is None:
            self._child.signal(sig)


class ForkserverPopen(SpawnPopen):
    method = 'forkserver'

    def _start_child(self, payload, fds):
        from polyproc import forkserver
        if not forkserver.started:
            # Only the first start() describes the server; later ones send just the task.
            _java.popen.startForkserver(_environment(), os.getcwd(), forkserver.preparation())
            forkserver.started = True
        return _java.popen.forkserverStart(payload, fds)
