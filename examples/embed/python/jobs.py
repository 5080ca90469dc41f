"""The Python side of the example: ordinary multiprocessing code."""
import multiprocessing as mp
import os


def square(x):
    return x * x


def producer(queue, n):
    for i in range(n):
        queue.put((os.getpid(), i))
    queue.put(None)


def run():
    """Process + Queue, then Pool: what a host's Python code might do."""
    queue = mp.Queue()
    child = mp.Process(target=producer, args=(queue, 3))
    child.start()
    items = list(iter(queue.get, None))
    child.join()
    print('Process %d sent %s through a Queue, exit code %d'
          % (child.pid, [i for _, i in items], child.exitcode), flush=True)
    with mp.Pool(2) as pool:
        print('Pool(2).map(square, range(8)) =', pool.map(square, range(8)), flush=True)


def word_count(text):
    """Started from Java as a process of its own (PolyprocContext.process)."""
    print('counting in process', os.getpid(), flush=True)
    return {'words': len(text.split()), 'pid': os.getpid()}
