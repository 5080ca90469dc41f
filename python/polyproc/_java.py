"""The Java side of this Context (polyproc.bridge.Bridge): one host object per polyproc module
that needs Java, set by polyproc._enable before any user code runs. A leaf: it imports nothing of
polyproc, so any module may import it. Each object's methods return their value or raise the
OSError of the failed system call; lists come back as polyglot arrays (list() copies one)."""

popen = None             # popen.py: spawn, startForkserver, forkserverStart, cannotStartChildrenBecause
worker = None            # worker.py: receiveTask
context = None           # context.py: defaultStartMethod, setPipeSize
embedded = None          # embedded.py, connection.py: a Java host's streams and close
resource_tracker = None  # resource_tracker.py: start
shared_memory = None     # shared_memory.py: shmOpen, shmUnlink
socketpair = None        # socketpair.py: socketPair
reduction = None         # reduction.py: sendFds, receiveFds
synchronize = None       # synchronize.py: create, open, unlink (SemLock)
signals = None           # signals.py: clearIgnored

_NAMES = ('popen', 'worker', 'context', 'embedded', 'resource_tracker', 'shared_memory',
          'socketpair', 'reduction', 'synchronize', 'signals')


def install(bridge):
    """bridge: Java's map of module name to host object."""
    for name in _NAMES:
        globals()[name] = getattr(bridge, name)


def enabled():
    return popen is not None
