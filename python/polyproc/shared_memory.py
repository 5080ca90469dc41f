"""POSIX shared memory for multiprocessing.shared_memory, from Java (shm_open and shm_unlink
through the FFM API): GraalPy's _posixshmem module exists but has neither function. The stdlib
maps the descriptor with mmap.mmap(fd, size, MAP_SHARED), so the memory really is shared."""

from polyproc import _java


def shm_open(path, flags, mode=0o777):
    return _java.shared_memory.shmOpen(path, flags, mode)


def shm_unlink(path):
    _java.shared_memory.shmUnlink(path)


def install(shared_memory):
    """Give the stdlib module ``multiprocessing.shared_memory`` a working _posixshmem."""
    posixshmem = shared_memory._posixshmem
    if not hasattr(posixshmem, 'shm_open'):
        posixshmem.shm_open = shm_open
        posixshmem.shm_unlink = shm_unlink
