"""Creates every kind of named resource, in the parent and in a child, prints where each lives,
then READY, then waits for a line on stdin (ResourcesIT checks that every path exists while the
program is sure to be alive) and ends as argv[1] says: 'exit' (normally), 'raise' (uncaught
exception) or 'hang' (to be killed with SIGKILL by ResourcesIT). Nothing it printed may outlive
it."""
import multiprocessing as mp
import sys
import time
from multiprocessing import shared_memory, util
from multiprocessing.connection import Listener


def semaphore_path(sem):
    return '/dev/shm/sem.' + sem._semlock.name.lstrip('/')


def shm_path(shm):
    return '/dev/shm/' + shm.name.lstrip('/')


def child(conn):
    lock = mp.Lock()
    shm = shared_memory.SharedMemory(create=True, size=4096)
    conn.send([semaphore_path(lock), shm_path(shm)])
    conn.recv()  # hold them until the parent is done


if __name__ == '__main__':
    lock, queue = mp.Lock(), mp.Queue()
    shm = shared_memory.SharedMemory(create=True, size=1 << 20)
    listener = Listener(family='AF_UNIX')
    paths = [semaphore_path(lock), semaphore_path(queue._rlock), shm_path(shm), listener.address,
             util.get_temp_dir()]
    ours, theirs = mp.Pipe()
    p = mp.Process(target=child, args=(theirs,), daemon=True)
    p.start()
    paths += ours.recv()
    for path in paths:
        print('path', path, flush=True)
    print('READY', flush=True)
    sys.stdin.readline()  # the test's go-ahead, once it has seen every path exist
    if sys.argv[1] == 'raise':
        raise RuntimeError('uncaught, on purpose')
    if sys.argv[1] == 'hang':
        time.sleep(600)
