"""multiprocessing.connection: a message is read in bounded pieces, and live connections stay
open until the process ends.

GraalPy's os.read(fd, n) allocates n bytes whatever the descriptor holds, and the stdlib's
Connection reads a message with n = all of it still missing: a 64 MB message through a pipe that
holds 256 KiB took ~256 reads of up to 64 MB each (see READ_LIMIT).

GraalPy's connection.py closes each Connection's descriptor through a weakref.finalize, whose
default is to run at interpreter exit too: a daemon thread still blocked in recv() then failed
with a traceback after the program's last line, and a descriptor already closed by other means
was closed twice (EBADF in atexit). CPython never closes a live connection before its daemon
threads are stopped. In the polyproc command and its children the process ends right after
(polyproc.finish_like_exit), so the kernel closes them; an embedding host's Context keeps the
stdlib's behaviour, as its process lives on and must get the descriptors back.
"""

import io
import os
import types
import weakref

from polyproc import _java
from polyproc.context import PIPE_CAPACITY

# The most one read of a message asks for: the one-way pipe's capacity, the most a read of it
# returns. 64 MB messages from a parent to a forkserver child, seconds per message once warm (8
# in one program): 4.5 reading all that is still missing, 0.4 with 256 KiB or 64 KiB pieces, 0.9
# with 1 MiB (python3 0.08). python3 bench/communication.py --runs 1 --rounds 8, 64 MB row:
# 13.5 MB/s before, 193 after (python3 859, 872).
READ_LIMIT = PIPE_CAPACITY


def _recv(self, size, read=os.read):
    """The stdlib's Connection._recv (a BytesIO holding `size` bytes, positioned at its end),
    reading at most READ_LIMIT bytes at a time."""
    handle = self._handle
    remaining = size
    pieces = []
    while remaining > 0:
        piece = read(handle, min(remaining, READ_LIMIT))
        if not piece:
            if remaining == size:
                raise EOFError
            raise OSError("got end of file during message")
        pieces.append(piece)
        remaining -= len(piece)
    buf = io.BytesIO(b''.join(pieces))
    buf.seek(0, io.SEEK_END)  # recv_bytes_into takes the position as the message's size
    return buf


def _finalize_not_at_exit(obj, func, *args, **kwargs):
    finalizer = weakref.finalize(obj, func, *args, **kwargs)
    finalizer.atexit = False
    return finalizer


def install(module):
    module.Connection._recv = _recv
    if not _java.embedded.embedded():
        # connection.py uses its module global `weakref` for this finalize only.
        module.weakref = types.SimpleNamespace(finalize=_finalize_not_at_exit)
