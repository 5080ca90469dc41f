"""polyproc's start methods, registered in the stdlib's multiprocessing.context.

CPython chooses a Popen class per start method through ``Process._Popen``; polyproc adds its own
Process and context classes there and removes the methods that cannot exist on the JVM ('fork')
or that GraalPy provides without real processes ('graalpy').
"""

from multiprocessing import process

START_METHODS = ['spawn']


class SpawnProcess(process.BaseProcess):
    _start_method = 'spawn'

    @staticmethod
    def _Popen(process_obj):
        from polyproc.popen_spawn import Popen
        return Popen(process_obj)

    @staticmethod
    def _after_fork():
        pass


def install(ctx):
    """Register polyproc's contexts in the stdlib module ``multiprocessing.context`` (ctx)."""

    class SpawnContext(ctx.BaseContext):
        _name = 'spawn'
        Process = SpawnProcess

    ctx.SpawnProcess = SpawnProcess
    ctx.SpawnContext = SpawnContext
    ctx._concrete_contexts.clear()
    ctx._concrete_contexts['spawn'] = SpawnContext()
    ctx._default_context = ctx.DefaultContext(ctx._concrete_contexts[START_METHODS[0]])
    ctx.DefaultContext.get_all_start_methods = lambda self: list(START_METHODS)

    base_get_context = ctx.BaseContext.get_context

    def get_context(self, method=None):
        if method is not None and method not in ctx._concrete_contexts:
            raise ValueError('cannot find context for %r: polyproc provides the start methods %s'
                             % (method, ', '.join(repr(m) for m in START_METHODS)))
        return base_get_context(self, method)

    ctx.BaseContext.get_context = get_context
