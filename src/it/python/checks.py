"""What the remaining Python-level test scripts share (they import it from their own folder, which is on
sys.path as a script's folder is, under polyproc and python3 alike)."""
import os
import sys

CHECKS = []


def check(name, cond, detail=''):
    """Record a named check; on failure print it and end the script with exit code 3."""
    CHECKS.append(name)
    if not cond:
        print('FAIL', name, detail, flush=True)
        sys.exit(3)
    print('ok', name, flush=True)


# Finding worker JVMs lives in one place, support.py (shared with the behaviour modules).
from support import wait_for_workers, worker_pids  # noqa: E402,F401
