"""Descriptor passing for multiprocessing.reduction: sendfds/recvfds over a Unix socket
(SCM_RIGHTS) from Java, since GraalPy's sockets have no sendmsg/recvmsg. With them the stdlib's
HAVE_SEND_HANDLE holds as on CPython/Linux, so a Connection or socket pickled outside a start()
(sent through a Queue, a Pipe or a Pool task) travels by the stdlib's resource_sharer, unchanged.
"""

from polyproc import _java


def sendfds(sock, fds):
    """As CPython's: one byte, len(fds) % 256, with the descriptors attached."""
    _java.reduction.sendFds(sock.fileno(), [int(fd) for fd in fds])


def recvfds(sock, size):
    """As CPython's: the descriptors that came with one byte; EOFError at end of file."""
    received = list(_java.reduction.receiveFds(sock.fileno(), size))
    if not received:
        raise EOFError
    count, fds = received[0], received[1:]
    if not fds:
        raise RuntimeError('received 0 items of ancdata')
    if len(fds) % 256 != count:
        raise AssertionError('Len is {0:n} but msg[0] is {1!r}'.format(len(fds), bytes([count])[0]))
    return fds


def send_handle(conn, handle, destination_pid):
    """Send a handle over a local connection."""
    sendfds(conn, [handle])


def recv_handle(conn):
    """Receive a handle over a local connection."""
    return recvfds(conn, 1)[0]


def install(reduction):
    """Patch the stdlib module ``multiprocessing.reduction``, unless GraalPy has sendmsg itself."""
    if reduction.HAVE_SEND_HANDLE:
        return
    reduction.HAVE_SEND_HANDLE = True
    reduction.sendfds = sendfds
    reduction.recvfds = recvfds
    reduction.send_handle = send_handle
    reduction.recv_handle = recv_handle
