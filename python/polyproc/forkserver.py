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

_preload_modules = ['__main__']  # CPython's default too
started = False  # whether this process's server (polyproc.runtime.WorkerPool) exists


def set_forkserver_preload(modules_names):
    """As CPython's: modules that each worker imports before it is needed, by default
    ['__main__'] (as __mp_main__, so `if __name__ == '__main__':` blocks do not run). Importing
    the main script is what a child spends most of its time on after start() (0.26-0.37 s of
    ~0.5 s for a no-op child here, measured with timestamps in polyproc.child), so a worker does
    it while idle. Unlike CPython, whose server imports it once, every worker imports it, used or
    not: top-level code outside that guard runs in each, as it does in each 'spawn' child.
    set_forkserver_preload([]) turns it off."""
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
    try:
        _rehearse()
    except Exception:
        pass  # only a warm-up: the task runs the same code for real


def _noop():
    pass


class _RehearsalPopen:
    def duplicate_for_child(self, fd):
        return fd


def _rehearse():
    """Run once, on a stand-in Process, the code a task runs first: its preparation data and
    Process unpickled from a descriptor, spawn.prepare(), the Process's run(). GraalPy builds and
    compiles Python code on its first run; done here, the task finds it warm (first run 80-90 ms,
    second 10-20, measured in a worker-like process). Leaves nothing behind that the task does not
    set again: prepare() gets this worker's own values, and the Process is never started (its
    number from the process counter goes: the task's _bootstrap() restarts the counter).
    Not rehearsed: the ending (util._exit_function() runs every finalizer of the process)."""
    import io
    import os
    from multiprocessing import context, process, reduction, spawn
    from multiprocessing.context import set_spawning_popen
    name = process.current_process().name
    data = spawn.get_preparation_data(name)
    for key in ('init_main_from_path', 'init_main_from_name'):
        data.pop(key, None)  # the real task's data names the main module (preloaded already)
    stand_in = context.Process(target=_noop, name=name)
    payload = io.BytesIO()
    set_spawning_popen(_RehearsalPopen())
    try:
        reduction.dump(data, payload)
        reduction.dump(stand_in, payload)
    finally:
        set_spawning_popen(None)
    r, w = os.pipe()
    try:
        os.write(w, payload.getvalue())
    finally:
        os.close(w)
    with os.fdopen(r, 'rb', closefd=True) as from_parent:
        spawn.prepare(reduction.pickle.load(from_parent))
        loaded = reduction.pickle.load(from_parent)
    process._ParentProcess(loaded._parent_name, loaded._parent_pid, None)
    loaded.run()
