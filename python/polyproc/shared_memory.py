"""POSIX shared memory for multiprocessing.shared_memory, from Java (shm_open and shm_unlink
through the FFM API): GraalPy's _posixshmem module exists but has neither function. The stdlib
maps the descriptor with mmap.mmap(fd, size, MAP_SHARED), so the memory really is shared."""

import os

import polyproc


def _check(result, name):
    if result < 0:
        raise OSError(-result, os.strerror(-result), name)
    return result


def shm_open(path, flags, mode=0o777):
    return _check(polyproc.java_runtime().shmOpen(path, flags, mode), path)


def shm_unlink(path):
    _check(polyproc.java_runtime().shmUnlink(path), path)


def install(shared_memory):
    """Give the stdlib module ``multiprocessing.shared_memory`` a working _posixshmem."""
    posixshmem = shared_memory._posixshmem
    if not hasattr(posixshmem, 'shm_open'):
        posixshmem.shm_open = shm_open
        posixshmem.shm_unlink = shm_unlink
