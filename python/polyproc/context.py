"""polyproc's start methods, registered in the stdlib's multiprocessing.context.

CPython chooses a Popen class per start method through ``Process._Popen``; polyproc adds its own
Process and context classes there and removes the methods that cannot exist on the JVM ('fork')
or that GraalPy provides without real processes ('graalpy'). 'forkserver' is the default, as in
CPython 3.14 on Linux: it starts a child in milliseconds once a worker is booted, where 'spawn'
pays a JVM's boot for every child.
"""

import os

from multiprocessing import process

from polyproc import _java

START_METHODS = ['forkserver', 'spawn']  # the default first

# Capacity of the pipe under Pipe(duplex=False), Queue and SimpleQueue: 256 KiB instead of Linux's
# 64 KiB. GraalPy's os.read(fd, n) allocates n bytes whatever the pipe holds, and the stdlib's
# Connection read a message with read(fd, bytes still missing) (polyproc.connection now reads at
# most this much at a time): a 1 MB message through a 64 KiB pipe cost 16 reads and ~8.5 MB of
# buffers, through 256 KiB 4 reads and 2.5 MB. python3
# bench/pipe_capacity.py, 1 MB messages between the same two processes: 292 MB/s against 153
# with 64 KiB (medians; CPython: 719 and 766). 1 MiB (the most /proc/sys/fs/pipe-max-size allows
# unprivileged) did as well or better (101-323 MB/s against 52-114), but the kernel charges a
# pipe's capacity to its user: past /proc/sys/fs/pipe-user-pages-soft (64 MiB), every new pipe of
# that user, in any program, shrinks to 8 KiB. 256 KiB leaves room for 256 such pipes.
PIPE_CAPACITY = 256 << 10


class ForkServerProcess(process.BaseProcess):
    _start_method = 'forkserver'

    @staticmethod
    def _Popen(process_obj):
        from polyproc.popen import ForkserverPopen
        return ForkserverPopen(process_obj)

    @staticmethod
    def _after_fork():
        pass


class SpawnProcess(process.BaseProcess):
    _start_method = 'spawn'

    @staticmethod
    def _Popen(process_obj):
        from polyproc.popen import SpawnPopen
        return SpawnPopen(process_obj)

    @staticmethod
    def _after_fork():
        pass


def install(ctx):
    """Register polyproc's contexts in the stdlib module ``multiprocessing.context`` (ctx)."""

    class ForkServerContext(ctx.BaseContext):
        _name = 'forkserver'
        Process = ForkServerProcess

    class SpawnContext(ctx.BaseContext):
        _name = 'spawn'
        Process = SpawnProcess

    ctx.ForkServerProcess = ForkServerProcess
    ctx.ForkServerContext = ForkServerContext
    ctx.SpawnProcess = SpawnProcess
    ctx.SpawnContext = SpawnContext
    ctx._concrete_contexts.clear()
    ctx._concrete_contexts['forkserver'] = ForkServerContext()
    ctx._concrete_contexts['spawn'] = SpawnContext()
    default = _java.context.defaultStartMethod() or START_METHODS[0]
    ctx._default_context = ctx.DefaultContext(ctx._concrete_contexts[default])
    ctx.DefaultContext.get_all_start_methods = lambda self: list(START_METHODS)

    base_get_context = ctx.BaseContext.get_context

    def get_context(self, method=None):
        if method is not None and method not in ctx._concrete_contexts:
            raise ValueError('cannot find context for %r: polyproc provides the start methods %s'
                             % (method, ', '.join(repr(m) for m in START_METHODS)))
        return base_get_context(self, method)

    def set_forkserver_preload(self, module_names):
        from polyproc import forkserver
        forkserver.set_forkserver_preload(module_names)

    ctx.BaseContext.get_context = get_context

    def _pipe(self):
        # GraalPy's seam for the pipe under Pipe(duplex=False) (see PIPE_CAPACITY)
        r, w = os.pipe()
        try:
            _java.context.setPipeSize(w, PIPE_CAPACITY)
        except PermissionError:
            pass  # the user's pipes hold more than pipe-user-pages-soft: 64 KiB then
        return r, w

    ctx.BaseContext._pipe = _pipe
    from polyproc import synchronize
    synchronize.install(ctx)
    ctx.BaseContext.set_forkserver_preload = set_forkserver_preload
