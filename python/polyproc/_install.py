"""Plugs polyproc into the stdlib's multiprocessing, without importing it.

Importing multiprocessing costs over a second in a cold GraalPy, so nothing is imported here: a
finder on sys.meta_path lets each module named in PATCHES load as usual and then hands it to its
patch, before any other module sees it (multiprocessing/__init__ copies the default context's
functions into the package right after importing multiprocessing.context).

PATCHES is every stdlib module polyproc changes, with the seams (attributes) each patch needs.
A patch whose seam is missing fails the import with an error that names it: a GraalPy upgrade
that moves a seam must fail loudly, not leave multiprocessing half patched.
"""

import importlib
import sys

# stdlib module: (the attributes its patches need, the 'polyproc module:function's that patch it)
PATCHES = {
    'socket': (('_socket', 'socketpair', 'socket', 'AF_UNIX', 'SOCK_STREAM'),
               ('socketpair:install',)),
    'multiprocessing.context': (('BaseContext.get_context', 'BaseContext._pipe', 'BaseContext._SemLock',
                                 'BaseContext._SemLock_rebuild', 'BaseContext._sem_unlink',
                                 'DefaultContext', '_concrete_contexts', '_default_context'),
                                ('context:install',)),
    'multiprocessing.connection': (('weakref', 'Connection._recv'), ('connection:install',)),
    'multiprocessing.reduction': (('HAVE_SEND_HANDLE', 'sendfds', 'recvfds'), ('reduction:install',)),
    'multiprocessing.resource_tracker': (('ResourceTracker.ensure_running', 'ResourceTracker._stop',
                                          '_resource_tracker', 'ensure_running'),
                                         ('resource_tracker:install',)),
    'multiprocessing.util': (('get_temp_dir', 'process'),
                             ('resource_tracker:install_temp_dir_tracking', 'embedded:install_exit_order')),
    'multiprocessing.shared_memory': (('_posixshmem',), ('shared_memory:install',)),
    'multiprocessing.sharedctypes': (('rebuild_ctype', 'class_cache'), ('sharedctypes:install',)),
    'multiprocessing.managers': (('SyncManager.register', 'AcquirerProxy', 'BaseProxy._decref'),
                                 ('managers:install',)),
    'multiprocessing.pool': (('Pool.__init__',), ('pool_size:install_pool',)),
    'concurrent.futures.process': (('ProcessPoolExecutor.__init__',), ('pool_size:install_process_pool',)),
}


def _patch(name, module):
    seams, targets = PATCHES[name]
    for seam in seams:
        obj = module
        for part in seam.split('.'):
            if not hasattr(obj, part):
                raise ImportError('polyproc cannot patch %s: this GraalPy has no %s.%s'
                                  % (name, name, seam), name=name)
            obj = getattr(obj, part)
    for target in targets:
        module_name, function = target.split(':')
        getattr(importlib.import_module('polyproc.' + module_name), function)(module)


class _PatchingLoader:
    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _patch(self._name, module)


class _PatchingFinder:
    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                spec.loader = _PatchingLoader(spec.loader, name)
                return spec
        return None


if not any(isinstance(f, _PatchingFinder) for f in sys.meta_path):
    for _name in PATCHES:
        if _name in sys.modules:
            _patch(_name, sys.modules[_name])
    sys.meta_path.insert(0, _PatchingFinder())
