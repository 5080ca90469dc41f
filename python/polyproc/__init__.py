"""polyproc: Python's multiprocessing with children that are real OS processes run by Java.

A polyproc-enabled GraalPy Context (the ``polyproc`` command, or a Java host) imports
``polyproc._install`` before any user code; from then on ``import multiprocessing`` is the
stdlib's package with polyproc's start methods underneath. User code never imports this package.
"""

__version__ = '0.1.0'


def _enable(bridge):
    """Called by Java (polyproc.bridge.Bridge.install) before any user code runs."""
    from polyproc import _java
    _java.install(bridge)
    import polyproc._install  # noqa: F401
    from polyproc import signals
    signals.install()
    if _java.embedded.embedded():
        from polyproc import embedded
        embedded.setup()


def finish_like_exit():
    """Once the program (the CLI's script, a spawn child's Process) has run: what the
    interpreter's exit does that Python code can see, as in CPython: wait for non-daemon
    threads, run the atexit handlers (multiprocessing's joins its children there), flush the
    standard streams. Java then ends the process with _exit, without Context.close(): GraalPy's
    close also stops every daemon thread one by one, and waits for each (a manager's server took
    1.5 s to end after its shutdown request, and the stdlib terminates a server that takes over
    1 s: exit code -15; a daemon thread blocked in recv() held a script's exit ~11 s, then failed
    with exit code 1). CPython abandons daemon threads at exit."""
    import atexit
    import sys
    import threading
    threading._shutdown()
    try:
        # GraalPy's runs every handler, prints nothing and raises the last handler's exception.
        atexit._run_exitfuncs()
    except SystemExit:
        pass  # as CPython: ignored, without a word
    except BaseException as e:
        import traceback
        print('Exception ignored in atexit callback:', file=sys.stderr)
        traceback.print_exception(e)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
