"""multiprocessing.connection: live connections stay open until the process ends.

GraalPy's connection.py closes each Connection's descriptor through a weakref.finalize, whose
default is to run at interpreter exit too: a daemon thread still blocked in recv() then failed
with a traceback after the program's last line, and a descriptor already closed by other means
was closed twice (EBADF in atexit). CPython never closes a live connection before its daemon
threads are stopped. In the polyproc command and its children the process ends right after
(polyproc.finish_like_exit), so the kernel closes them; an embedding host's Context keeps the
stdlib's behaviour, as its process lives on and must get the descriptors back.
"""

import types
import weakref

from polyproc import _java


def _finalize_not_at_exit(obj, func, *args, **kwargs):
    finalizer = weakref.finalize(obj, func, *args, **kwargs)
    finalizer.atexit = False
    return finalizer


def install(module):
    if not _java.embedded.embedded():
        # connection.py uses its module global `weakref` for this finalize only.
        module.weakref = types.SimpleNamespace(finalize=_finalize_not_at_exit)
