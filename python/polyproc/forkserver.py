"""The 'forkserver' start method's Python side: what its pre-booted workers prepare.

The server itself is Java (polyproc.runtime.WorkerPool): a JVM cannot fork, so it keeps worker
JVMs booted ahead of need. Like CPython's forkserver, it starts on first use and keeps the
environment, working directory and preload list of that moment.
"""

import json
import sys

# Imported by every worker before its task comes: what every child needs to run a Process.
_ALWAYS = ['multiprocessing.spawn', 'multiprocessing.connection', 'multiprocessing.synchronize',
           'multiprocessing.queues', 'polyproc.popen']

_preload_modules = []
started = False  # whether this process's server (polyproc.runtime.WorkerPool) exists


def set_forkserver_preload(modules_names):
    """As CPython's: modules that each worker imports before it is needed. Unlike CPython,
    '__main__' is not preloaded unless named: each worker is a process of its own, so preloading
    it would run the main module's top-level code in every worker, used or not."""
    global _preload_modules
    if not all(type(mod) is str for mod in modules_names):
        raise TypeError('module_names must be a list of strings')
    _preload_modules = list(modules_names)


def boot_data():
    """What a new worker prepares, as text for polyproc.child.prepare_worker()."""
    from multiprocessing import spawn
    data = spawn.get_preparation_data('ignore')
    return json.dumps({
        'preload': _ALWAYS + _preload_modules,
        'sys_path': data['sys_path'],
        'main_path': data.get('init_main_from_path'),
    })


def prepare_worker(text):
    """In a worker, before its task: import what boot_data() names."""
    import importlib
    boot = json.loads(text)
    sys.path[:] = boot['sys_path']
    for name in boot['preload']:
        try:
            if name == '__main__':
                if boot['main_path'] is not None:
                    from multiprocessing import spawn
                    spawn.import_main_path(boot['main_path'])
            else:
                importlib.import_module(name)
        except ImportError:
            pass  # as CPython: the task imports it again and reports the error there
