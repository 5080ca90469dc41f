"""Pipes, queues, locks and shared memory between real processes (run by ScriptsIT).

Five children start at once (a child JVM costs seconds); each plays several parts, in an order
the parent drives through its Pipe. Every check prints 'ok NAME'; the last line is 'ALL OK'.
"""
import errno
import multiprocessing as mp
import os
import queue
import socket
import sys
import time
from multiprocessing import connection, reduction, shared_memory
from multiprocessing.connection import Client, Listener

from checks import check

BIG = 64 * 1024 * 1024
LONG = 120  # generous: a child JVM can take many seconds to boot on a loaded 2-core machine
N_ITEMS = 2000


def peer(conn, oneway_reader, addresses, sync):
    """Echoes over a duplex Pipe, reads a one-way Pipe, connects to Listeners, joins the sync."""
    lock, rlock, sem, bsem, cond, event, barrier, counter = sync
    # A descriptor the parent sent on our Pipe end right after start(), before we had booted.
    fd = reduction.recv_handle(conn)
    os.write(fd, b'written through a passed descriptor')
    os.close(fd)
    # Pipe: echo until the parent says stop.
    while True:
        msg = conn.recv()
        if msg == 'stop':
            break
        conn.send(msg)
    conn.send_bytes(b'xxhello worldyy', 2, 11)
    passed = conn.recv()  # a Connection pickled after start(): it comes by SCM_RIGHTS
    passed.send(('through a passed connection', os.getpid()))
    passed.close()
    big = oneway_reader.recv_bytes()
    conn.send((len(big), big[:3], big[-3:]))
    # Listener/Client with and without the right key.
    for family, address in addresses:
        with Client(address, family=family, authkey=b'secret') as c:
            c.send(('hello from', family))
        try:
            Client(address, family=family, authkey=b'wrong')
            conn.send('no error')
        except mp.AuthenticationError:
            conn.send('AuthenticationError')
    # Synchronisation: the parent holds lock; we must not get it, then must once released.
    conn.send(lock.acquire(timeout=0.2))
    conn.send(lock.acquire(timeout=LONG))
    lock.release()
    with rlock:
        with rlock:
            conn.send('rlock reentered')
    conn.send(sem.get_value())
    with cond:
        event.set()
        conn.send(cond.wait_for(lambda: counter.buf[0] == 1, timeout=LONG))
        counter.buf[0] = 2
        cond.notify_all()
    barrier.wait(timeout=LONG)
    try:
        bsem.release()
        conn.send('released too often')
    except ValueError:
        conn.send('ValueError')
    conn.recv()  # wait for the parent to close its end
    try:
        conn.recv()
    except EOFError:
        sys.exit(0)
    sys.exit(7)


def producer(q, jq, tag):
    for i in range(N_ITEMS):
        q.put((tag, i))
    for i in range(10):
        jq.put((tag, i))
    q.put((tag, 'large', b'x' * (4 * 1024 * 1024)))
    jq.join()  # returns once the consumer called task_done for every item


def consumer(jq, simple, total):
    for _ in range(total):
        item = jq.get(timeout=LONG)
        simple.put(item)
        jq.task_done()


def writer(shm_name, sl_name):
    shm = shared_memory.SharedMemory(shm_name)
    shm.buf[:5] = b'hello'
    shm.close()
    sl = shared_memory.ShareableList(name=sl_name)
    sl[0] = 'changed'
    sl[1] = sl[1] + 1
    sl.shm.close()


def exits_holding(conn):
    conn.send('alive')
    time.sleep(0.2)
    os._exit(0)


if __name__ == '__main__':
    ours, theirs = mp.Pipe()
    one_r, one_w = mp.Pipe(duplex=False)
    with socket.socket(fileno=os.dup(ours.fileno())) as s:
        check('duplex pipe is a Unix socket pair', s.family == socket.AF_UNIX and s.type == socket.SOCK_STREAM)
    try:
        socket.socketpair(socket.AF_INET)
        check('socketpair AF_INET refused as by Linux', False)
    except OSError as e:
        check('socketpair AF_INET refused as by Linux', e.errno == errno.EOPNOTSUPP)
    check('one-way pipe ends', one_r.readable and not one_r.writable and one_w.writable and not one_w.readable)
    lock, rlock = mp.Lock(), mp.RLock()
    sem, bsem = mp.Semaphore(3), mp.BoundedSemaphore(1)
    cond, event, barrier = mp.Condition(), mp.Event(), mp.Barrier(2)
    # A shared counter for the Condition (mp.Value and friends: see sharedctypes.py).
    counter = shared_memory.SharedMemory(create=True, size=1)
    counter.buf[0] = 0
    listeners = [Listener(family='AF_UNIX', authkey=b'secret'),
                 Listener(('127.0.0.1', 0), family='AF_INET', authkey=b'secret')]
    check('unix socket private', os.stat(os.path.dirname(listeners[0].address)).st_mode & 0o077 == 0)
    addresses = [(l._listener._family, l.address) for l in listeners]

    q, jq, simple = mp.Queue(), mp.JoinableQueue(), mp.SimpleQueue()
    shm = shared_memory.SharedMemory(create=True, size=4096)
    sl = shared_memory.ShareableList(['start', 41, 2.5])

    died_r, died_w = mp.Pipe()
    procs = [mp.Process(target=peer, args=(theirs, one_r, addresses, (lock, rlock, sem, bsem, cond, event, barrier, counter))),
             mp.Process(target=producer, args=(q, jq, 'A')),
             mp.Process(target=producer, args=(q, jq, 'B')),
             mp.Process(target=consumer, args=(jq, simple, 20)),
             mp.Process(target=writer, args=(shm.name, sl.shm.name)),
             mp.Process(target=exits_holding, args=(died_w,))]
    lock.acquire()
    sem.acquire()
    for p in procs:
        p.start()
    theirs.close()
    died_w.close()
    handle_r, handle_w = os.pipe()
    reduction.send_handle(ours, handle_w, procs[0].pid)  # SCM_RIGHTS, while the child still boots
    os.close(handle_w)

    # Pipe between processes.
    check('poll times out', not ours.poll(0.1))
    for msg in ['x', 12345, {'a': [1, 2.5, None]}, b'\0' * 100000]:
        ours.send(msg)
        check('echo %s' % type(msg).__name__, ours.poll(LONG) and ours.recv() == msg)
    ours.send('stop')
    buf = bytearray(20)
    n = ours.recv_bytes_into(buf, 4)
    check('recv_bytes_into offset', n == 11 and bytes(buf[4:15]) == b'hello world')
    with open(handle_r, 'rb') as f:
        check('descriptor sent with send_handle', f.read() == b'written through a passed descriptor')
    x, y = mp.Pipe()
    ours.send(y)  # not a start() argument: the stdlib's resource_sharer passes the descriptor
    y.close()
    check('connection sent to a running child', x.poll(LONG) and x.recv() == ('through a passed connection', procs[0].pid))
    x.close()
    one_w.send_bytes(b'abc' + bytes(BIG - 6) + b'xyz')
    check('64 MB message whole', ours.recv() == (BIG, b'abc', b'xyz'))
    for l in listeners:
        with l.accept() as c:
            check('listener %s' % l._listener._family, c.recv()[0] == 'hello from')
        try:
            l.accept()
        except mp.AuthenticationError:
            pass
        check('wrong authkey refused', ours.recv() == 'AuthenticationError')
    a, b = mp.Pipe()
    a.send_bytes(b'12345')
    try:
        b.recv_bytes_into(bytearray(2))
        check('BufferTooShort', False)
    except mp.BufferTooShort as e:
        check('BufferTooShort', e.args[0] == b'12345')
    a.close()
    check('closed', a.closed and b.fileno() >= 0)
    try:
        b.recv()
        check('EOFError after close', False)
    except EOFError:
        check('EOFError after close', True)

    # Synchronisation.
    check('held lock not acquired', ours.recv() is False)
    lock.release()
    check('released lock acquired', ours.recv() is True)
    check('rlock', ours.recv() == 'rlock reentered')
    check('semaphore value shared', ours.recv() == 2)
    check('event', event.wait(LONG))
    with cond:
        counter.buf[0] = 1
        cond.notify()
        check('condition wait_for', cond.wait_for(lambda: counter.buf[0] == 2, timeout=LONG))
    check('condition wait_for in child', ours.recv() is True)
    barrier.wait(timeout=LONG)
    check('bounded semaphore', ours.recv() == 'ValueError')
    ours.send('closing')
    ours.close()

    # Queues: every item once, in order per producer.
    seen = {'A': [], 'B': []}
    larges = 0
    while larges < 2:
        item = q.get(timeout=LONG)
        if item[1] == 'large':
            larges += 1
            check('large queue item', len(item[2]) == 4 * 1024 * 1024)
        else:
            seen[item[0]].append(item[1])
    check('queue exactly once in order', seen == {'A': list(range(N_ITEMS)), 'B': list(range(N_ITEMS))})
    try:
        q.get(timeout=0.2)
        check('queue empty', False)
    except queue.Empty:
        check('queue empty', q.empty() and q.qsize() == 0)
    got = sorted(simple.get() for _ in range(20))
    check('joinable queue and simple queue', got == sorted((t, i) for t in 'AB' for i in range(10)))
    jq.join()
    bounded = mp.Queue(1)
    bounded.put(1)
    try:
        bounded.put(2, timeout=0.1)
        check('queue full', False)
    except queue.Full:
        check('queue full', bounded.full())

    for p in procs:
        p.join(LONG)
    check('children exit 0', [p.exitcode for p in procs] == [0] * len(procs), [p.exitcode for p in procs])

    # Shared memory: the children's writes, seen without any copy through a pipe.
    # mp.Value/Array/RawValue/RawArray have their own script, sharedctypes.py.
    check('SharedMemory', bytes(shm.buf[:5]) == b'hello')
    check('ShareableList', sl[0] == 'changed' and sl[1] == 42)
    shm.close()
    shm.unlink()
    sl.shm.close()
    sl.shm.unlink()
    counter.close()
    counter.unlink()

    # The other end's process died: EOFError, not a hang.
    check('message before death', died_r.recv() == 'alive')
    try:
        died_r.recv()
        check('EOFError after peer died', False)
    except EOFError:
        check('EOFError after peer died', True)
    ready = connection.wait([died_r, procs[0].sentinel], timeout=1)
    check('wait over connection and sentinel', set(ready) == {died_r, procs[0].sentinel})
    print('ALL OK', flush=True)
