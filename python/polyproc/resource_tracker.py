"""The resource tracker's server, started by Java: resource_tracker.sh instead of a Python process.

The stdlib's client side (register/unregister lines on a pipe) stays as it is; only how the
server is started and stopped changes. CPython starts `python -c 'resource_tracker.main(fd)'`;
here that would be a JVM (seconds, ~300 MB), so polyproc starts a shell script (see its header).
"""

import os

from polyproc import _java

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'resource_tracker.sh')


def install(rt):
    """Patch the stdlib module ``multiprocessing.resource_tracker`` (rt)."""

    def ensure_running(self):
        with self._lock:
            if self._lock._recursion_count() > 1:
                return self._reentrant_call_error()
            if self._fd is not None:
                if self._check_alive():
                    return
                os.close(self._fd)
                self._fd = None
                _reap(self)  # as CPython's os.waitpid(self._pid, 0) here
                self._pid = None
                rt.warnings.warn('resource_tracker: process died unexpectedly, '
                                 'relaunching.  Some resources might leak.')
            r, w = os.pipe()
            try:
                self._server = _java.resource_tracker.start(SCRIPT, r)
            except BaseException:
                os.close(w)
                raise
            finally:
                os.close(r)
            self._fd = w
            self._pid = self._server.pid()

    def _stop(self):
        with self._lock:
            if self._lock._recursion_count() > 1:
                return self._reentrant_call_error()
            if self._fd is None:
                return
            os.close(self._fd)  # end of file: the server cleans up and exits
            self._fd = None
            _reap(self)
            self._pid = None

    def _reap(self):
        """Waits for the server this process started to end, and reaps it (Java does not, so
        that the program may os.waitpid() it, as in CPython)."""
        server = getattr(self, '_server', None)
        if server is None:
            return  # a child process: its parent started the server
        from multiprocessing.connection import wait
        sentinel = server.newSentinel()
        try:
            wait([sentinel])
        finally:
            os.close(sentinel)
        server.poll()
        self._server = None

    rt.ResourceTracker.ensure_running = ensure_running
    rt.ResourceTracker._stop = _stop
    rt.ensure_running = rt._resource_tracker.ensure_running


def install_temp_dir_tracking(util):
    """Register multiprocessing's temporary folder (it holds the Unix socket files of Listeners)
    with the tracker, so that it goes with the program even when nothing ran its finalizer."""
    stdlib_get_temp_dir = util.get_temp_dir

    def get_temp_dir():
        new = util.process.current_process()._config.get('tempdir') is None
        tempdir = stdlib_get_temp_dir()
        if new:
            from multiprocessing import resource_tracker
            resource_tracker.register(tempdir, 'folder')
        return tempdir

    util.get_temp_dir = get_temp_dir
