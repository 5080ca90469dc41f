"""Starts a sleeping child, a daemonic one and a grandchild, prints their pids and those of the
forkserver's idle workers (of this process and of the child), then READY, then waits to be killed
(OrphanIT kills this process with SIGKILL) or, with argv[1] == 'exit', returns at once so that
multiprocessing's exit handler must terminate the daemon."""
import atexit
import sys
import time

DAEMON = None


def report_daemon():
    # Registered before multiprocessing is imported, so it runs after multiprocessing's own exit
    # handler, which must have terminated the daemon by then.
    if DAEMON is not None:
        print('daemon exitcode at exit', DAEMON.exitcode, flush=True)


atexit.register(report_daemon)
import multiprocessing as mp  # noqa: E402

from checks import wait_for_workers  # noqa: E402


def print_idle_workers(label, exclude):
    for pid in sorted(wait_for_workers(1, exclude)):
        print('pid', label, pid, flush=True)


def sleep_with_child(ready):
    g = mp.Process(target=time.sleep, args=(300,))
    g.start()
    print('pid grandchild', g.pid, flush=True)
    print_idle_workers('idle worker of child', {g.pid})
    ready.set()
    g.join()


if __name__ == '__main__':
    daemon = DAEMON = mp.Process(target=time.sleep, args=(300,), daemon=True)
    daemon.start()
    print('pid daemon', daemon.pid, flush=True)
    if sys.argv[1:] == ['exit']:
        print_idle_workers('idle worker', {daemon.pid})
        print('READY', flush=True)
        sys.exit(0)
    ready = mp.Event()
    child = mp.Process(target=sleep_with_child, args=(ready,))
    child.start()
    print('pid child', child.pid, flush=True)
    ready.wait()
    print_idle_workers('idle worker', {daemon.pid, child.pid})
    print('READY', flush=True)
    time.sleep(600)
