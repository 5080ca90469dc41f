"""signal.signal() as CPython's for a signal the process ignores.

A signal that a command was started ignoring stays ignored (SIG_IGN survives exec: nohup ignores
SIGHUP, a background job of a script SIGINT and SIGQUIT), in CPython as here; a handler that the
program installs for it then runs in CPython. The JVM keeps SIGHUP, SIGINT and SIGTERM ignored
when asked for a handler (HotSpot's JVM_RegisterSignal) and GraalPy returns as if the handler
were installed: so the signal gets its default action and the handler is installed again. A
signal that arrives in the microseconds between the two acts by default.
"""

import _signal

from polyproc import _java


def install():
    original = _signal.signal

    def signal(signalnum, handler):
        previous = original(signalnum, handler)
        if callable(handler) and _java.signals.clearIgnored(int(signalnum)):
            original(signalnum, handler)
        return previous

    _signal.signal = signal
