"""Pipes, Listeners, queues, locks and shared memory between real processes; nothing lost or
duplicated when the other end dies; Listener/Client between separate programs (python3 passes
these too; mp.Value and friends: test_sharedctypes)."""
import errno
import multiprocessing as mp
import os
import queue
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest
from multiprocessing import connection, reduction, shared_memory
from multiprocessing.connection import Client, Listener

from support import LONG

BIG = 64 * 1024 * 1024
N_ITEMS = 2000
LARGE = 4 * 1024 * 1024


def serve(conn, one_way_reader):
    """PipeTest's peer: takes the descriptor sent right after its start (before it had booted),
    then answers requests until the parent closes its end."""
    fd = reduction.recv_handle(conn)
    os.write(fd, b'written through a passed descriptor')
    os.close(fd)
    while True:
        try:
            request, arg = conn.recv()
        except EOFError:
            return
        if request == 'echo':
            conn.send(arg)
        elif request == 'send_bytes':
            conn.send_bytes(*arg)
        elif request == 'answer_on':  # a Connection pickled after start(): it comes by SCM_RIGHTS
            arg.send(('through a passed connection', os.getpid()))
            arg.close()
        elif request == 'read_one_way':
            big = one_way_reader.recv_bytes()
            conn.send((len(big), big[:3], big[-3:]))


def connect_to(addresses, conn):
    for family, address in addresses:
        with Client(address, family=family, authkey=b'secret') as c:
            c.send(('hello from', family))
        try:
            Client(address, family=family, authkey=b'wrong')
            conn.send('no error')
        except mp.AuthenticationError:
            conn.send('AuthenticationError')


def try_held_lock(lock, conn):
    conn.send(lock.acquire(timeout=0.2))
    conn.send(lock.acquire(timeout=LONG))
    lock.release()


def reenter(rlock, conn):
    with rlock:
        with rlock:
            conn.send('rlock reentered')


def report_value(sem, conn):
    conn.send(sem.get_value())


def wait_for_condition(cond, event, counter, conn):
    with cond:
        event.set()
        conn.send(cond.wait_for(lambda: counter.buf[0] == 1, timeout=LONG))
        counter.buf[0] = 2
        cond.notify_all()


def over_release(bsem, conn):
    try:
        bsem.release()
        conn.send('released too often')
    except ValueError:
        conn.send('ValueError')


def producer(q, jq, tag):
    for i in range(N_ITEMS):
        q.put((tag, i))
    for i in range(10):
        jq.put((tag, i))
    q.put((tag, 'large', b'x' * LARGE))
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


def write_forever(conn, ready):
    ready.set()
    i = 0
    while True:
        conn.send(i)
        i += 1


def read_one_then_wait(conn):
    conn.recv()
    time.sleep(600)


def in_child(target, *args):
    """Runs target(*args, conn) in a child; the parent's end of the Pipe and the Process."""
    ours, theirs = mp.Pipe()
    p = mp.Process(target=target, args=args + (theirs,))
    p.start()
    theirs.close()
    return ours, p


def received(conn):
    return conn.recv() if conn.poll(LONG) else 'nothing within %s s' % LONG


class PipeWithinOneProcessTest(unittest.TestCase):
    def test_a_duplex_pipe_is_a_unix_socket_pair(self):
        ours, theirs = mp.Pipe()
        with socket.socket(fileno=os.dup(ours.fileno())) as s:
            self.assertEqual((s.family, s.type), (socket.AF_UNIX, socket.SOCK_STREAM))

    def test_socketpair_af_inet_is_refused_as_by_linux(self):
        with self.assertRaises(OSError) as e:
            socket.socketpair(socket.AF_INET)
        self.assertEqual(e.exception.errno, errno.EOPNOTSUPP)

    def test_one_way_pipe_ends_only_read_or_only_write(self):
        r, w = mp.Pipe(duplex=False)
        self.assertEqual((r.readable, r.writable, w.readable, w.writable), (True, False, False, True))

    def test_a_buffer_too_short_carries_the_message(self):
        a, b = mp.Pipe()
        a.send_bytes(b'12345')
        with self.assertRaises(mp.BufferTooShort) as e:
            b.recv_bytes_into(bytearray(2))
        self.assertEqual(e.exception.args[0], b'12345')

    def test_a_message_longer_than_a_pipe_holds_arrives_whole_at_an_offset(self):
        r, w = mp.Pipe(duplex=False)
        msg = bytes(range(256)) * 4096 + b'end'  # 1 MB: more than a pipe holds
        writer = threading.Thread(target=w.send_bytes, args=(msg,))
        writer.start()
        buf = bytearray(len(msg) + 10)
        self.assertEqual(r.recv_bytes_into(buf, 10), len(msg))
        writer.join()
        self.assertEqual(bytes(buf[10:]), msg)

    def test_a_message_cut_short_by_end_of_file_is_os_error(self):
        r, w = mp.Pipe(duplex=False)
        os.write(w.fileno(), struct.pack('!i', 10) + b'abc')  # a header announcing 10 bytes, then 3
        w.close()
        with self.assertRaises(OSError) as e:
            r.recv_bytes()
        self.assertEqual(str(e.exception), 'got end of file during message')

    def test_recv_after_the_other_end_closed_is_eof_error(self):
        a, b = mp.Pipe()
        a.close()
        self.assertTrue(a.closed)
        self.assertGreaterEqual(b.fileno(), 0)
        with self.assertRaises(EOFError):
            b.recv()


class PipeTest(unittest.TestCase):
    """One peer child answers each test's requests on a duplex Pipe."""

    @classmethod
    def setUpClass(cls):
        cls.ours, theirs = mp.Pipe()
        one_r, cls.one_way = mp.Pipe(duplex=False)
        cls.peer = mp.Process(target=serve, args=(theirs, one_r))
        cls.peer.start()
        theirs.close()
        one_r.close()
        cls.handle_r, handle_w = os.pipe()
        reduction.send_handle(cls.ours, handle_w, cls.peer.pid)  # SCM_RIGHTS, while the child still boots
        os.close(handle_w)

    @classmethod
    def tearDownClass(cls):
        cls.ours.close()
        cls.one_way.close()
        os.close(cls.handle_r)
        cls.peer.join(LONG)
        if cls.peer.exitcode != 0:
            raise AssertionError('the peer ended with %r, not 0 at end of file' % cls.peer.exitcode)

    def test_a_descriptor_sent_while_the_child_boots_reaches_it(self):
        self.assertEqual(os.read(self.handle_r, 100), b'written through a passed descriptor')

    def test_poll_times_out_when_nothing_came(self):
        self.assertFalse(self.ours.poll(0.1))

    def test_messages_are_echoed_whole(self):
        for msg in ['x', 12345, {'a': [1, 2.5, None]}, b'\0' * 100000]:
            with self.subTest(type(msg).__name__):
                self.ours.send(('echo', msg))
                self.assertEqual(received(self.ours), msg)

    def test_send_bytes_with_offset_into_recv_bytes_into_with_offset(self):
        self.ours.send(('send_bytes', (b'xxhello worldyy', 2, 11)))
        self.assertTrue(self.ours.poll(LONG))
        buf = bytearray(20)
        self.assertEqual(self.ours.recv_bytes_into(buf, 4), 11)
        self.assertEqual(bytes(buf[4:15]), b'hello world')

    def test_a_connection_sent_to_a_running_child_reaches_it(self):
        """Not a start() argument: the stdlib's resource_sharer passes the descriptor."""
        x, y = mp.Pipe()
        self.ours.send(('answer_on', y))
        y.close()
        self.assertEqual(received(x), ('through a passed connection', self.peer.pid))
        x.close()

    def test_a_64_mb_message_arrives_whole(self):
        self.ours.send(('read_one_way', None))
        self.one_way.send_bytes(b'abc' + bytes(BIG - 6) + b'xyz')
        self.assertEqual(received(self.ours), (BIG, b'abc', b'xyz'))


class ListenerTest(unittest.TestCase):
    def test_a_unix_socket_is_in_a_private_folder(self):
        with Listener(family='AF_UNIX', authkey=b'secret') as listener:
            self.assertEqual(os.stat(os.path.dirname(listener.address)).st_mode & 0o077, 0)

    def test_a_child_gets_through_with_the_key_and_is_refused_with_a_wrong_one(self):
        listeners = [Listener(family='AF_UNIX', authkey=b'secret'),
                     Listener(('127.0.0.1', 0), family='AF_INET', authkey=b'secret')]
        for listener in listeners:
            self.addCleanup(listener.close)
        ours, p = in_child(connect_to, [(l._listener._family, l.address) for l in listeners])
        for listener in listeners:
            with self.subTest(listener._listener._family):
                with listener.accept() as c:
                    self.assertEqual(c.recv()[0], 'hello from')
                with self.assertRaises(mp.AuthenticationError):
                    listener.accept()
                self.assertEqual(received(ours), 'AuthenticationError')
        p.join(LONG)
        self.assertEqual(p.exitcode, 0)


class SynchronisationTest(unittest.TestCase):
    def test_a_lock_the_parent_holds_is_acquired_by_a_child_only_once_released(self):
        lock = mp.Lock()
        lock.acquire()
        ours, p = in_child(try_held_lock, lock)
        self.assertIs(received(ours), False)
        lock.release()
        self.assertIs(received(ours), True)
        p.join(LONG)
        self.assertEqual(p.exitcode, 0)

    def test_a_child_reenters_an_rlock(self):
        rlock = mp.RLock()  # held until the child has it: a spawn child opens it by name
        ours, p = in_child(reenter, rlock)
        self.assertEqual(received(ours), 'rlock reentered')
        p.join(LONG)

    def test_a_child_sees_the_semaphores_value(self):
        sem = mp.Semaphore(3)
        sem.acquire()
        ours, p = in_child(report_value, sem)
        self.assertEqual(received(ours), 2)
        p.join(LONG)

    def test_event_and_condition_wait_for_both_ways(self):
        cond, event = mp.Condition(), mp.Event()
        counter = shared_memory.SharedMemory(create=True, size=1)
        self.addCleanup(counter.unlink)
        self.addCleanup(counter.close)
        counter.buf[0] = 0
        ours, p = in_child(wait_for_condition, cond, event, counter)
        self.assertTrue(event.wait(LONG), 'event set by the child')
        with cond:
            counter.buf[0] = 1
            cond.notify()
            self.assertTrue(cond.wait_for(lambda: counter.buf[0] == 2, timeout=LONG), 'wait_for in the parent')
        self.assertIs(received(ours), True, 'wait_for in the child')
        p.join(LONG)

    def test_a_barrier_between_parent_and_child(self):
        barrier = mp.Barrier(2)
        p = mp.Process(target=barrier.wait, args=(LONG,))
        p.start()
        self.assertIn(barrier.wait(timeout=LONG), (0, 1))
        p.join(LONG)
        self.assertEqual(p.exitcode, 0)

    def test_a_bounded_semaphore_released_too_often_in_a_child_is_a_value_error(self):
        bsem = mp.BoundedSemaphore(1)
        ours, p = in_child(over_release, bsem)
        self.assertEqual(received(ours), 'ValueError')
        p.join(LONG)


class QueueTest(unittest.TestCase):
    """Two producers fill a Queue and a JoinableQueue; a consumer child takes the joinable
    queue's items into a SimpleQueue."""

    @classmethod
    def setUpClass(cls):
        q, jq, cls.simple = mp.Queue(), mp.JoinableQueue(), mp.SimpleQueue()
        cls.jq = jq
        cls.procs = [mp.Process(target=producer, args=(q, jq, 'A')),
                     mp.Process(target=producer, args=(q, jq, 'B')),
                     mp.Process(target=consumer, args=(jq, cls.simple, 20))]
        for p in cls.procs:
            p.start()
        cls.seen, cls.larges = {'A': [], 'B': []}, []
        while len(cls.larges) < 2:
            item = q.get(timeout=LONG)
            if item[1] == 'large':
                cls.larges.append(len(item[2]))
            else:
                cls.seen[item[0]].append(item[1])
        cls.q = q
        for p in cls.procs:
            p.join(LONG)

    def test_every_item_arrives_once_in_order_per_producer(self):
        self.assertEqual(self.seen, {'A': list(range(N_ITEMS)), 'B': list(range(N_ITEMS))})

    def test_a_4_mb_item_arrives_whole(self):
        self.assertEqual(self.larges, [LARGE, LARGE])

    def test_a_drained_queue_is_empty(self):
        with self.assertRaises(queue.Empty):
            self.q.get(timeout=0.2)
        self.assertTrue(self.q.empty())
        self.assertEqual(self.q.qsize(), 0)

    def test_joinable_queue_join_returns_once_a_child_called_task_done_for_each(self):
        self.jq.join()
        self.assertEqual([p.exitcode for p in self.procs], [0, 0, 0], 'the producers returned from join()')

    def test_simple_queue_carries_what_a_child_put(self):
        got = sorted(self.simple.get() for _ in range(20))
        self.assertEqual(got, sorted((t, i) for t in 'AB' for i in range(10)))

    def test_a_full_bounded_queue_times_out_with_full(self):
        bounded = mp.Queue(1)
        bounded.put(1)
        with self.assertRaises(queue.Full):
            bounded.put(2, timeout=0.1)
        self.assertTrue(bounded.full())


class SharedMemoryTest(unittest.TestCase):
    """A child's writes, seen without any copy through a pipe."""

    @classmethod
    def setUpClass(cls):
        cls.shm = shared_memory.SharedMemory(create=True, size=4096)
        cls.sl = shared_memory.ShareableList(['start', 41, 2.5])
        cls.p = mp.Process(target=writer, args=(cls.shm.name, cls.sl.shm.name))
        cls.p.start()
        cls.p.join(LONG)

    @classmethod
    def tearDownClass(cls):
        for shm in (cls.shm, cls.sl.shm):
            shm.close()
            shm.unlink()

    def test_the_writer_exits_0(self):
        self.assertEqual(self.p.exitcode, 0)

    def test_shared_memory_written_by_a_child(self):
        self.assertEqual(bytes(self.shm.buf[:5]), b'hello')

    def test_shareable_list_written_by_a_child(self):
        self.assertEqual((self.sl[0], self.sl[1]), ('changed', 42))


class PeerDiesTest(unittest.TestCase):
    """The other end's process died: what it sent arrives, then EOFError, not a hang."""

    @classmethod
    def setUpClass(cls):
        cls.died_r, cls.p = in_child(exits_holding)
        cls.first = received(cls.died_r)
        try:
            cls.then = cls.died_r.recv() if cls.died_r.poll(LONG) else 'a hang'
        except EOFError:
            cls.then = EOFError
        cls.p.join(LONG)

    def test_a_message_sent_before_it_died_arrives(self):
        self.assertEqual(self.first, 'alive')

    def test_then_recv_is_eof_error(self):
        self.assertIs(self.then, EOFError)

    def test_wait_returns_the_connection_and_the_sentinel(self):
        ready = connection.wait([self.died_r, self.p.sentinel], timeout=LONG)
        self.assertEqual(set(ready), {self.died_r, self.p.sentinel})


class TerminatedMidStreamTest(unittest.TestCase):
    def test_a_writer_terminated_mid_stream_leaves_an_unbroken_prefix_then_eof_error(self):
        reader, w = mp.Pipe(duplex=False)
        ready = mp.Event()
        p = mp.Process(target=write_forever, args=(w, ready))
        p.start()
        w.close()
        self.assertTrue(ready.wait(LONG))
        got = [reader.recv() for _ in range(200)]
        p.terminate()
        p.join(LONG)
        with self.assertRaises(EOFError):
            while True:
                got.append(reader.recv())
        self.assertEqual(p.exitcode, -15)
        self.assertEqual(got, list(range(len(got))), 'every message once, in order')

    def test_the_writer_to_a_terminated_reader_gets_broken_pipe_error(self):
        """As in CPython: SIGPIPE is ignored."""
        r, writer_end = mp.Pipe(duplex=False)
        p = mp.Process(target=read_one_then_wait, args=(r,))
        p.start()
        r.close()
        writer_end.send('first')
        p.terminate()
        p.join(LONG)
        with self.assertRaises(BrokenPipeError):
            for _ in range(100000):
                writer_end.send_bytes(b'x' * 1024)


# The other program: argv[1] the Listener's address, argv[2] its key; a wrong key first.
CLIENT = r'''
import sys
from multiprocessing.connection import Client
from multiprocessing import AuthenticationError
address, key = sys.argv[1], sys.argv[2].encode()
try:
    Client(address, authkey=b'wrong key')
    sys.exit(5)
except AuthenticationError:
    pass
with Client(address, authkey=key) as c:
    c.send(('hello from another program', c.recv() * 2))
'''


class SeparateProgramsTest(unittest.TestCase):
    """Listener and Client in two separate programs, with the authkey handshake."""

    @classmethod
    def setUpClass(cls):
        with Listener(family='AF_UNIX', authkey=b'run secret') as listener:
            cls.private = (os.stat(listener.address).st_mode & 0o077 == 0
                           or os.stat(os.path.dirname(listener.address)).st_mode & 0o077 == 0)
            other = subprocess.Popen([sys.executable, '-c', CLIENT, listener.address, 'run secret'])
            try:
                try:
                    listener.accept()
                except mp.AuthenticationError:
                    pass  # the other program's wrong key first
                with listener.accept() as conn:
                    conn.send(21)
                    cls.message = conn.recv()
            finally:
                cls.returncode = other.wait(LONG)

    def test_the_socket_file_is_private(self):
        self.assertTrue(self.private)

    def test_another_program_gets_through_with_the_key(self):
        self.assertEqual(self.message, ('hello from another program', 42))

    def test_another_program_sees_authentication_error_for_a_wrong_key(self):
        self.assertEqual(self.returncode, 0)


if __name__ == '__main__':
    unittest.main()
