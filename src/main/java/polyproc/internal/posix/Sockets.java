package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static polyproc.internal.posix.Native.CAPTURE_ERRNO;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.withErrno;

/**
 * Unix sockets ({@code <sys/socket.h>}): socketpair(2), a listening socket at a path with its
 * accept(2) and the peer's credentials (SO_PEERCRED), connect(2) to one, and sendmsg(2)/recvmsg(2) carrying
 * descriptors as SCM_RIGHTS ancillary data.
 */
public final class Sockets {
    private Sockets() {}

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_DONTWAIT = 0x40;
    /** The kernel's limit on descriptors in one SCM_RIGHTS message (SCM_MAX_FD). */
    public static final int MAX_FDS_PER_MESSAGE = 253;

    /** struct iovec: one buffer. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len"));
    private static final VarHandle IOV_BASE = IOVEC.varHandle(groupElement("iov_base"));
    private static final VarHandle IOV_LEN = IOVEC.varHandle(groupElement("iov_len"));

    /** struct msghdr (56 bytes); polyproc leaves msg_name and msg_flags zero. */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    private static final VarHandle MSG_IOV = MSGHDR.varHandle(groupElement("msg_iov"));
    private static final VarHandle MSG_IOVLEN = MSGHDR.varHandle(groupElement("msg_iovlen"));
    private static final VarHandle MSG_CONTROL = MSGHDR.varHandle(groupElement("msg_control"));
    private static final VarHandle MSG_CONTROLLEN = MSGHDR.varHandle(groupElement("msg_controllen"));

    /**
     * struct cmsghdr: the header of one control message. Its data (CMSG_DATA) follows at
     * {@link #CMSG_HEADER}, the header's size, already a multiple of 8 (CMSG_ALIGN).
     */
    static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"), JAVA_INT.withName("cmsg_level"), JAVA_INT.withName("cmsg_type"));
    private static final VarHandle CMSG_LEN = CMSGHDR.varHandle(groupElement("cmsg_len"));
    private static final VarHandle CMSG_LEVEL = CMSGHDR.varHandle(groupElement("cmsg_level"));
    private static final VarHandle CMSG_TYPE = CMSGHDR.varHandle(groupElement("cmsg_type"));
    private static final long CMSG_HEADER = CMSGHDR.byteSize();

    private static final MethodHandle SOCKETPAIR = fn("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SOCKET = fn("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle BIND = fn("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle CONNECT = fn("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle LISTEN = fn("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle ACCEPT4 = fn("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKOPT = fn("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SENDMSG = fn("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle RECVMSG = fn("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);

    /** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): two connected ends. */
    public static int[] socketPair() {
        return socketPair(AF_UNIX, SOCK_STREAM, 0);
    }

    /** socketpair(domain, type | SOCK_CLOEXEC, protocol): two connected ends (type may carry SOCK_NONBLOCK). */
    public static int[] socketPair(int domain, int type, int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            Errno.check("socketpair", withErrno(arena,
                    s -> (int) SOCKETPAIR.invokeExact(s, domain, type | SOCK_CLOEXEC, protocol, fds)));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /**
     * A Unix stream socket listening at {@code path} (struct sockaddr_un: the family, then at most
     * 107 bytes of path and its NUL). The socket file is created with the process's umask.
     */
    public static int listen(String path, int backlog) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = unixAddress(arena, path);
            int fd = (int) Errno.check("socket", withErrno(arena,
                    s -> (int) SOCKET.invokeExact(s, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)));
            Errno.Result bound = withErrno(arena, s -> (int) BIND.invokeExact(s, fd, address, 110));
            Errno.Result listening = bound.failed() ? bound
                    : withErrno(arena, s -> (int) LISTEN.invokeExact(s, fd, backlog));
            if (listening.failed()) {
                Io.close(fd);
                throw new PosixException("bind/listen " + path, listening.errno());
            }
            return fd;
        }
    }

    /** A Unix stream socket connected to the one listening at {@code path}. */
    public static int connect(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = unixAddress(arena, path);
            int fd = (int) Errno.check("socket", withErrno(arena,
                    s -> (int) SOCKET.invokeExact(s, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)));
            Errno.Result r = withErrno(arena, s -> (int) CONNECT.invokeExact(s, fd, address, 110));
            if (r.failed()) {
                Io.close(fd);
                throw new PosixException("connect " + path, r.errno());
            }
            return fd;
        }
    }

    private static MemorySegment unixAddress(Arena arena, String path) {
        byte[] name = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (name.length > 107) {
            throw new PosixException("a Unix socket path of " + name.length + " bytes: " + path, Errno.ENAMETOOLONG);
        }
        MemorySegment address = arena.allocate(110);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
        return address;
    }

    /** accept4(2), close-on-exec: the next connection, or -1 if none is waiting (EAGAIN) or on EINTR. */
    public static int accept(int listening) {
        try (Arena arena = Arena.ofConfined()) {
            Errno.Result r = withErrno(arena, s -> (int) ACCEPT4.invokeExact(s, listening,
                    MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC));
            if (r.failed() && (r.errno() == Errno.EAGAIN || r.errno() == Errno.EINTR
                    || r.errno() == Errno.ECONNABORTED)) {
                return -1;
            }
            return (int) Errno.check("accept4", r);
        }
    }

    /** The user id of the process at the other end of a connected Unix socket (SO_PEERCRED). */
    public static int peerUid(int socket) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(JAVA_INT, 3); // struct ucred: pid, uid, gid
            MemorySegment length = arena.allocateFrom(JAVA_INT, 12);
            Errno.check("getsockopt(SO_PEERCRED)", withErrno(arena,
                    s -> (int) GETSOCKOPT.invokeExact(s, socket, SOL_SOCKET, SO_PEERCRED, ucred, length)));
            return ucred.getAtIndex(JAVA_INT, 1);
        }
    }

    /** A message header over {@code data}, with room for {@code maxFds} descriptors (CMSG_SPACE). */
    private static MemorySegment messageHeader(Arena arena, MemorySegment data, int maxFds) {
        MemorySegment iov = arena.allocate(IOVEC);
        IOV_BASE.set(iov, 0L, data);
        IOV_LEN.set(iov, 0L, data.byteSize());
        MemorySegment msg = arena.allocate(MSGHDR);
        MSG_IOV.set(msg, 0L, iov);
        MSG_IOVLEN.set(msg, 0L, 1L);
        if (maxFds > 0) {
            long space = CMSG_HEADER + ((4L * maxFds + 7) & ~7L);
            MemorySegment control = arena.allocate(space, 8);
            MSG_CONTROL.set(msg, 0L, control);
            MSG_CONTROLLEN.set(msg, 0L, space);
        }
        return msg;
    }

    /** The control buffer of {@code msg}, as long as its msg_controllen says. */
    private static MemorySegment control(MemorySegment msg, long controlLen) {
        return ((MemorySegment) MSG_CONTROL.get(msg, 0L)).reinterpret(controlLen);
    }

    /** A message of {@code data} with {@code fds} attached (SCM_RIGHTS), if any. */
    private static MemorySegment messageWithRights(Arena arena, MemorySegment data, int[] fds) {
        MemorySegment msg = messageHeader(arena, data, fds.length);
        if (fds.length > 0) {
            MemorySegment control = control(msg, (long) MSG_CONTROLLEN.get(msg, 0L));
            CMSG_LEN.set(control, 0L, CMSG_HEADER + 4L * fds.length);
            CMSG_LEVEL.set(control, 0L, SOL_SOCKET);
            CMSG_TYPE.set(control, 0L, SCM_RIGHTS);
            MemorySegment.copy(fds, 0, control, JAVA_INT, CMSG_HEADER, fds.length);
        }
        return msg;
    }

    /**
     * Sends data (at least one byte) with the descriptors fds attached (SCM_RIGHTS) over a Unix
     * socket: the receiver gets duplicates, and the kernel holds them while they are in flight,
     * so the sender may close its own at once. Returns the number of bytes sent.
     */
    public static long sendWithFds(int socket, byte[] data, int[] fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
            MemorySegment msg = messageWithRights(arena, buf, fds);
            while (true) {
                Errno.Result r = withErrno(arena, s -> (long) SENDMSG.invokeExact(s, socket, msg, MSG_NOSIGNAL));
                if (r.failed() && r.errno() == Errno.EINTR) {
                    continue;
                }
                return Errno.check("sendmsg", r);
            }
        }
    }

    /**
     * Sends what of {@code data[offset..]} the socket takes now (MSG_DONTWAIT; at most 256 KiB,
     * about what a Unix socket's buffer holds), with {@code fds} attached to the first byte: the
     * number of bytes sent, 0 if the socket is full (EAGAIN).
     */
    public static long sendNow(int socket, byte[] data, int offset, int[] fds) {
        try (Arena arena = Arena.ofConfined()) {
            int length = Math.min(data.length - offset, 256 * 1024);
            MemorySegment buf = arena.allocate(length);
            MemorySegment.copy(data, offset, buf, ValueLayout.JAVA_BYTE, 0, length);
            MemorySegment msg = messageWithRights(arena, buf, fds);
            while (true) {
                Errno.Result r = withErrno(arena,
                        s -> (long) SENDMSG.invokeExact(s, socket, msg, MSG_NOSIGNAL | MSG_DONTWAIT));
                if (r.failed() && r.errno() == Errno.EINTR) {
                    continue;
                }
                if (r.failed() && r.errno() == Errno.EAGAIN) {
                    return 0;
                }
                return Errno.check("sendmsg", r);
            }
        }
    }

    /** What {@link #receiveWithFds} read: the bytes, and the descriptors that came with them. */
    public record Received(byte[] data, int[] fds) {}

    /**
     * Receives up to {@code maxBytes} bytes and at most {@code maxFds} descriptors (close-on-exec)
     * from a Unix socket; an empty result means end of file.
     */
    public static Received receiveWithFds(int socket, int maxBytes, int maxFds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(maxBytes);
            MemorySegment msg = messageHeader(arena, buf, maxFds);
            Errno.Result r;
            do {
                r = withErrno(arena, s -> (long) RECVMSG.invokeExact(s, socket, msg, MSG_CMSG_CLOEXEC));
            } while (r.failed() && r.errno() == Errno.EINTR);
            long n = Errno.check("recvmsg", r);
            int[] fds = new int[0];
            long controlLen = (long) MSG_CONTROLLEN.get(msg, 0L); // what the kernel filled in
            if (controlLen >= CMSG_HEADER) {
                MemorySegment control = control(msg, controlLen);
                if ((int) CMSG_LEVEL.get(control, 0L) == SOL_SOCKET && (int) CMSG_TYPE.get(control, 0L) == SCM_RIGHTS) {
                    int count = (int) (((long) CMSG_LEN.get(control, 0L) - CMSG_HEADER) / 4);
                    fds = new int[count];
                    MemorySegment.copy(control, JAVA_INT, CMSG_HEADER, fds, 0, count);
                }
            }
            return new Received(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), fds);
        }
    }
}
