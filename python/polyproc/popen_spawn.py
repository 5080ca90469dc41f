"""The 'spawn' start method: a fresh GraalPy in a new JVM process, launched by Java.

As CPython's popen_spawn_posix: the parent pickles the preparation data and the Process object
with the stdlib's reduction; Java spawns the child JVM and writes them to its bootstrap pipe
(descriptor 3); the child rebuilds the parent's Context and runs spawn._main() on it. Waiting,
exit codes and signals go through Java's pidfd-based ChildProcess (polyproc.process).
"""

import io
import os

from multiprocessing import popen_fork, popen_spawn_posix, reduction, spawn, util
from multiprocessing.context import set_spawning_popen

import polyproc

__all__ = ['Popen']

# Descriptor numbers in the child: 3 is the bootstrap pipe, then the resource tracker's pipe,
# then the descriptors passed with the Process (Connections, ...).
_FIRST_PASSED_FD = 4
TRACKER_FD = _FIRST_PASSED_FD


class Popen(popen_fork.Popen):
    method = 'spawn'
    DupFd = popen_spawn_posix._DupFd  # holds the child's descriptor number

    def __init__(self, process_obj):
        self._fds = []
        super().__init__(process_obj)

    def duplicate_for_child(self, fd):
        # The child finds the n-th passed descriptor at _FIRST_PASSED_FD + n (ChildLauncher).
        self._fds.append(fd)
        return _FIRST_PASSED_FD + len(self._fds) - 1

    def _launch(self, process_obj):
        from multiprocessing import resource_tracker
        self.duplicate_for_child(resource_tracker.getfd())  # becomes TRACKER_FD
        prep_data = spawn.get_preparation_data(process_obj._name)
        fp = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, fp)
            reduction.dump(process_obj, fp)
        finally:
            set_spawning_popen(None)
        env = ['%s=%s' % kv for kv in os.environ.items()]
        self._child = polyproc.java_runtime().spawn(fp.getvalue(), self._fds, env, os.getcwd())
        self.pid = self._child.pid()
        self.sentinel = self._child.newSentinel()
        self.finalizer = util.Finalize(self, util.close_fds, (self.sentinel,))

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
