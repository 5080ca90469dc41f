"""The 'forkserver' start method's Python side: what its pre-booted workers prepare.

The server itself is Java (polyproc.forkserver.WorkerPool): a JVM cannot fork, so it keeps worker
JVMs booted ahead of need. Like CPython's forkserver, it starts on first use and keeps the
environment, working directory and preload list of that moment.
"""

import json
import sys

# Imported by every worker before its task comes: what every child needs to run a Process.
_ALWAYS = ['multiprocessing.spawn', 'multiprocessing.connection', 'multiprocessing.synchronize',
           'multiprocessing.queues', 'polyproc.popen']

_preload_modules = ['__main__']  # CPython's default too
started = False  # whether this process's server (polyproc.forkserver.WorkerPool) exists


def set_forkserver_preload(modules_names):
    """As CPython's: modules that each worker imports before it is needed, by default
    ['__main__'] (as __mp_main__, so `if __name__ == '__main__':` blocks do not run). Importing
    the main script is what a child spends most of its time on after start() (0.26-0.37 s of
    ~0.5 s for a no-op child here, measured with timestamps in polyproc.worker), so a worker does
    it while idle. Unlike CPython, whose server imports it once, every worker imports it, used or
    not: top-level code outside that guard runs in each, as it does in each 'spawn' child.
    set_forkserver_preload([]) turns it off."""
    global _preload_modules
    if not all(type(mod) is str for mod in modules_names):
        raise TypeError('module_names must be a list of strings')
    _preload_modules = list(modules_names)


def preparation():
    """What a new worker prepares, as text for polyproc.worker.prepare_worker()."""
    from multiprocessing import spawn
    data = spawn.get_preparation_data('ignore')
    return json.dumps({
        'preload': _ALWAYS + _preload_modules,
        'sys_path': data['sys_path'],
        'main_path': data.get('init_main_from_path'),
    })


def prepare_worker(text):
    """In a worker, before its task: import what preparation() names."""
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
