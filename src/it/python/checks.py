"""What the Python-level test scripts share (they import it from their own folder, which is on
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


def worker_pids(exclude=()):
    """Worker JVMs whose parent is this process, other than exclude: the forkserver's idle ones."""
    found = set()
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in exclude:
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                is_worker = b'polyproc.worker.WorkerMain' in f.read()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid() and fields[0] != 'Z' and is_worker:
            found.add(int(entry))
    return found


def wait_for_workers(count, exclude=(), timeout=60):
    """The idle workers once there are at least count of them (the forkserver boots its
    replacements shortly after a start()), or those there are after timeout seconds."""
    import time
    deadline = time.monotonic() + timeout
    found = worker_pids(exclude)
    while len(found) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        found = worker_pids(exclude)
    return found
