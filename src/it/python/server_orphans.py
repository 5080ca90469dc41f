"""For ServerIT: a program with a child process, a shared-memory segment, a lock (a named
semaphore) and multiprocessing's temporary folder, that waits to be killed (SIGKILL). Prints
'child PID' (from the child), the names of what it made, then READY."""
import multiprocessing as mp
import os
import time
from multiprocessing import shared_memory, util


def sleeper():
    print('child', os.getpid(), flush=True)
    time.sleep(600)


if __name__ == '__main__':
    shm = shared_memory.SharedMemory(create=True, size=4096)
    lock = mp.Lock()
    p = mp.Process(target=sleeper)
    p.start()
    print('pid', os.getpid())
    print('ppid', os.getppid())
    print('path', '/dev/shm/' + shm.name.lstrip('/'))
    print('path', '/dev/shm/sem.' + lock._semlock.name.lstrip('/'))
    print('tmp', util.get_temp_dir(), flush=True)
    time.sleep(1)  # the child's line first, as a rule
    print('READY', flush=True)
    time.sleep(600)
