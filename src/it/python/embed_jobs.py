"""Functions that EmbedIT (a Java host, polyproc.embed) runs in child processes."""
import os
import sys
import time


def work(n, text):
    print('working on', n, text, flush=True)
    print('a warning', file=sys.stderr, flush=True)
    return {'pid': os.getpid(), 'ppid': os.getppid(), 'double': n * 2, 'text': text * n,
            'stdin': os.readlink('/proc/self/fd/0'), 'items': [1, 2.5, None, True]}


def fail(message):
    raise ValueError(message)


def leave(code):
    sys.exit(code)


def not_plain():
    return object()


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def hello(who):
    print('hello from', who, os.getpid(), flush=True)
    print('error from', who, file=sys.stderr, flush=True)


def start_method():
    import multiprocessing
    return multiprocessing.get_start_method()


def square(x):
    return x * x


def echo(*args):
    return list(args)
