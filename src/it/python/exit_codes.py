"""Exit codes and output of children, as CPython reports them (run by ScriptsIT)."""
import multiprocessing as mp
import os
import signal
import sys
import time


def returns():
    pass


def exits(n):
    sys.exit(n)


def os_exits(n):
    os._exit(n)


def raises():
    raise ValueError('boom from child')


def exits_with_text():
    sys.exit('text for stderr')


def sleeps():
    time.sleep(100)


def spins():
    while True:
        pass


def interrupted(ready):
    ready.set()
    time.sleep(100)  # SIGINT raises KeyboardInterrupt here, as in CPython: exit code 1


def registers_atexit():
    # A spawn child runs its atexit handlers as sys.exit() does; a forkserver child ends with
    # os._exit() and does not (CPython alike).
    import atexit
    atexit.register(print, 'child-atexit-line', flush=True)


def writes_unflushed():
    # Neither stream is flushed before the process ends: each line must still arrive once.
    sys.stdout.write('child-stdout-line\n')
    sys.stderr.write('child-stderr-line\n')


if __name__ == '__main__':
    mp.set_start_method(sys.argv[1] if len(sys.argv) > 1 else 'forkserver')
    cases = [('return', returns, (), 0), ('sys.exit(7)', exits, (7,), 7), ('os._exit(5)', os_exits, (5,), 5),
             ('exception', raises, (), 1), ('sys.exit(text)', exits_with_text, (), 1),
             ('unflushed', writes_unflushed, (), 0), ('sys.exit(False)', exits, (False,), 0),
             ('sys.exit(True)', exits, (True,), 1), ('sys.exit(None)', exits, (None,), 0),
             ('atexit', registers_atexit, (), 0)]
    procs = [(name, mp.Process(target=f, args=a), want) for name, f, a, want in cases]
    ready = mp.Event()
    interruptee = mp.Process(target=interrupted, args=(ready,))
    interruptee.start()
    sleeper = mp.Process(target=sleeps)
    spinner = mp.Process(target=spins)
    for _, p, _ in procs:
        p.start()
    sleeper.start()
    spinner.start()
    failed = False
    for name, p, want in procs:
        p.join()
        print('exitcode', name, p.exitcode, flush=True)
        failed |= p.exitcode != want
    ready.wait(300)
    os.kill(interruptee.pid, signal.SIGINT)
    interruptee.join()
    print('SIGINT', interruptee.exitcode, flush=True)
    failed |= interruptee.exitcode != 1
    time.sleep(1)  # the spinner is in its loop, the sleeper in its sleep
    for name, p, sig in [('terminate', sleeper, -15), ('kill', spinner, -9)]:
        t = time.monotonic()
        getattr(p, name)()
        p.join()
        took = time.monotonic() - t
        print(name, p.exitcode, 'in %.3f s' % took, flush=True)
        failed |= p.exitcode != sig or took >= 1.0
    print('FAILED' if failed else 'ALL OK', flush=True)
