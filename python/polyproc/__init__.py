"""polyproc: Python's multiprocessing with children that are real OS processes run by Java.

A polyproc-enabled GraalPy Context (the ``polyproc`` command, or a Java host) imports
``polyproc._install`` before any user code; from then on ``import multiprocessing`` is the
stdlib's package with polyproc's start methods underneath. User code never imports this package.
"""

__version__ = '0.1.0'


_runtime = None


def _enable(runtime):
    """Called by Java (polyproc.runtime.PolyprocRuntime.install) before any user code runs."""
    global _runtime
    _runtime = runtime
    import polyproc._install  # noqa: F401
    if runtime.embedded():
        from polyproc import embedded
        embedded.setup(runtime)


def java_runtime():
    """The Java object of this Context (polyproc.runtime.PolyprocRuntime)."""
    if _runtime is None:
        raise RuntimeError('polyproc is not enabled in this GraalPy context')
    return _runtime
