"""The default number of pool workers: os.cpu_count(), as in CPython, within memory.

GraalPy's own multiprocessing.pool lowers the default to a guess from the JVM's memory; polyproc
restores CPython's os.cpu_count() for Pool and ProcessPoolExecutor, and only caps it where the
machine's memory could not hold that many worker JVMs (one worker: 300-750 MB resident,
bench/process_start.py; the cap allows 1 GiB each). Pass processes=/max_workers= to choose.
"""

import functools
import os

WORKER_MEMORY_BUDGET = 1 << 30


def default_workers():
    cpus = os.cpu_count() or 1
    try:
        memory = os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE')
    except (ValueError, OSError, AttributeError):
        return cpus
    return max(1, min(cpus, memory // WORKER_MEMORY_BUDGET))


def _with_default(init, name):
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if not args and kwargs.get(name) is None:
            kwargs[name] = default_workers()
        elif args and args[0] is None:
            args = (default_workers(),) + args[1:]
        init(self, *args, **kwargs)
    return __init__


def install_pool(module):
    """multiprocessing.pool: Pool(processes=None) gets default_workers()."""
    module.Pool.__init__ = _with_default(module.Pool.__init__, 'processes')
    # ThreadPool passes processes on to Pool.__init__: CPython's default there too.


def install_process_pool(module):
    """concurrent.futures.process: ProcessPoolExecutor(max_workers=None) likewise."""
    module.ProcessPoolExecutor.__init__ = _with_default(module.ProcessPoolExecutor.__init__, 'max_workers')
