"""socket.socketpair() as on CPython/Linux: the sockets of socketpair(2), AF_UNIX by default.

GraalPy's _socket has no socketpair, so its socket.py falls back to what CPython uses on Windows:
a TCP listener on 127.0.0.1 and a connection to it. multiprocessing's Pipe(duplex=True) is built
on socketpair(), and over TCP a descriptor cannot travel (SCM_RIGHTS is a Unix-socket message:
reduction.send_handle() on such a Pipe arrived without it), and the pair was briefly a port any
local process could connect to (the fallback then fails with ConnectionError).
"""


def install(socket_module):
    if hasattr(socket_module._socket, 'socketpair'):
        return  # a GraalPy that has it

    def socketpair(family=None, type=socket_module.SOCK_STREAM, proto=0):
        if family is None:
            family = socket_module.AF_UNIX
        from polyproc import _java
        fds = _java.socketpair.socketPair(int(family), int(type), int(proto))
        return tuple(socket_module.socket(family, type, proto, fileno=fd) for fd in fds)

    socketpair.__doc__ = socket_module.socketpair.__doc__
    socket_module.socketpair = socketpair
