"""What a Java host's Context has besides the patches (polyproc.embed.PolyprocContext).

- Standard streams: with GraalPy's native posix backend (which real descriptors need), Python's
  sys.stdout and sys.stderr are descriptors 1 and 2 of the host JVM, whatever the Context's
  out/err. Where the host gave streams, they are replaced by writers to those streams, which
  the children's output reaches too (polyproc.launch.ChildStdio).
- Closing the Context ends its children: multiprocessing's own exit handler joins the
  non-daemonic ones, which would hold the host's close() for as long as they run; here they are
  terminated first (killed after a grace period), then the resource tracker is stopped (it
  frees what the children left: shared memory, semaphores, socket files) and the forkserver's
  idle workers go.
"""
import atexit
import io
import sys

from polyproc import _java

# How long terminated children get to end before they are killed.
GRACE_SECONDS = 2.0


class _HostStream(io.RawIOBase):
    def __init__(self, fd):
        self._fd = fd

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        _java.embedded.writeOutput(self._fd, data)
        return len(data)


def _text_stream(fd, errors):
    return io.TextIOWrapper(io.BufferedWriter(_HostStream(fd)), encoding='utf-8',
                            errors=errors, line_buffering=True, write_through=True)


def setup():
    if _java.embedded.capturesOutput(1):
        sys.stdout = sys.__stdout__ = _text_stream(1, 'strict')
    if _java.embedded.capturesOutput(2):
        sys.stderr = sys.__stderr__ = _text_stream(2, 'backslashreplace')
    # Registered before multiprocessing.util's exit handler: runs after it (atexit is LIFO).
    atexit.register(_release)


def install_exit_order(util):
    """multiprocessing.util, just imported (polyproc._install): in a Java host's Context,
    terminate_children is registered right after the stdlib's exit handler, so it runs before
    it (atexit is LIFO) and a host's close does not wait for its children to end on their own."""
    if _java.embedded.embedded():
        atexit.register(terminate_children)


def terminate_children():
    """Before the stdlib's exit handler would join the children (install_exit_order)."""
    from multiprocessing import process
    children = [p for p in process._children if p._popen is not None and p._popen.poll() is None]
    for p in children:
        p.terminate()
    import time
    deadline = time.monotonic() + GRACE_SECONDS
    for p in children:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in children:
        if p.exitcode is None:
            p.kill()
            p.join()


def _release():
    tracker = sys.modules.get('multiprocessing.resource_tracker')
    if tracker is not None:
        tracker._resource_tracker._stop()
    _java.embedded.close()
