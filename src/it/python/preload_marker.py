"""Imported ahead of a task by test_forkserver's workers (set_forkserver_preload(['__main__',
'preload_marker'])): what it records tells whether the preload list ran, in order, before the task."""
import os
import sys
import time

IMPORTED_AT = time.time()
MAIN_IMPORTED_FIRST = '__mp_main__' in sys.modules  # '__main__' comes first in the preload list
STATE = []  # a child appends to it; the next child must not see that

# The readiness signal test_forkserver waits for: this process has imported its preload list
# (a file named by its pid, in the folder the parent named before the forkserver started).
if os.environ.get('PRELOAD_MARKER_DIR'):
    try:
        open(os.path.join(os.environ['PRELOAD_MARKER_DIR'], str(os.getpid())), 'w').close()
    except FileNotFoundError:
        pass  # a worker booted before test_forkserver ended and removed the folder

