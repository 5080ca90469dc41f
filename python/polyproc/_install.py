"""Plugs polyproc into the stdlib's multiprocessing, without importing it.

Importing multiprocessing costs over a second in a cold GraalPy, so nothing is imported here: a
finder on sys.meta_path lets ``multiprocessing.context`` load as usual and then hands the module
to polyproc.context.install() before the rest of the package (which copies the default context's
functions into ``multiprocessing``) sees it.
"""

import sys

_TARGET = 'multiprocessing.context'


class _PatchingLoader:
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        from polyproc import context
        context.install(module)


class _ContextFinder:
    def find_spec(self, name, path, target=None):
        if name != _TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


if _TARGET in sys.modules:
    from polyproc import context as _context
    _context.install(sys.modules[_TARGET])
elif not any(isinstance(f, _ContextFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _ContextFinder())
