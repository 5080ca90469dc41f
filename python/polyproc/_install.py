"""Plugs polyproc into the stdlib's multiprocessing, without importing it.

Importing multiprocessing costs over a second in a cold GraalPy, so nothing is imported here: a
finder on sys.meta_path lets each module named in _PATCHES load as usual and then hands it to
its patch function, before any other module sees it (multiprocessing/__init__ copies the default
context's functions into the package right after importing multiprocessing.context).
"""

import sys


def _patch_context(module):
    from polyproc import context
    context.install(module)


def _patch_connection(module):
    from polyproc import connection
    connection.install(module)


def _patch_reduction(module):
    from polyproc import reduction
    reduction.install(module)


def _patch_socket(module):
    from polyproc import socketpair
    socketpair.install(module)


def _patch_resource_tracker(module):
    from polyproc import resource_tracker
    resource_tracker.install(module)


def _patch_util(module):
    from polyproc import resource_tracker
    resource_tracker.install_temp_dir_tracking(module)
    import polyproc
    if polyproc.java_runtime().embedded():
        import atexit
        from polyproc import embedded
        atexit.register(embedded.terminate_children)


def _patch_shared_memory(module):
    from polyproc import shared_memory
    shared_memory.install(module)


def _patch_sharedctypes(module):
    from polyproc import sharedctypes
    sharedctypes.install(module)


def _patch_managers(module):
    from polyproc import managers
    managers.install(module)


def _patch_pool(module):
    from polyproc import workers
    workers.install_pool(module)


def _patch_process_pool(module):
    from polyproc import workers
    workers.install_process_pool(module)


_PATCHES = {
    'socket': _patch_socket,
    'multiprocessing.context': _patch_context,
    'multiprocessing.connection': _patch_connection,
    'multiprocessing.reduction': _patch_reduction,
    'multiprocessing.resource_tracker': _patch_resource_tracker,
    'multiprocessing.util': _patch_util,
    'multiprocessing.shared_memory': _patch_shared_memory,
    'multiprocessing.sharedctypes': _patch_sharedctypes,
    'multiprocessing.managers': _patch_managers,
    'multiprocessing.pool': _patch_pool,
    'concurrent.futures.process': _patch_process_pool,
}


class _PatchingLoader:
    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._patch(module)


class _PatchingFinder:
    def find_spec(self, name, path, target=None):
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


if not any(isinstance(f, _PatchingFinder) for f in sys.meta_path):
    for _name, _patch in _PATCHES.items():
        if _name in sys.modules:
            _patch(sys.modules[_name])
    sys.meta_path.insert(0, _PatchingFinder())
