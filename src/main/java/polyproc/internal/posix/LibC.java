package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Every C function polyproc calls, declared once (Linux, glibc, through the FFM API).
 *
 * <p>Calls return the raw C result; those that report failure through {@code errno} capture it,
 * and {@link #check} turns a failure into a {@link PosixException}. Struct sizes and constants are
 * those of Linux on x86_64 and aarch64, the platforms polyproc supports.
 */
public final class LibC {
    private LibC() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // <fcntl.h>, <signal.h>, <sys/wait.h>, <poll.h>, <spawn.h> (glibc)
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_SETPIPE_SZ = 1031;
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int P_PIDFD = 3;
    public static final int WNOHANG = 1;
    public static final int WEXITED = 4;
    public static final int WNOWAIT = 0x01000000;
    public static final int CLD_EXITED = 1;
    public static final int CLD_KILLED = 2;
    public static final int CLD_DUMPED = 3;
    public static final short POLLIN = 1;
    public static final short POLLOUT = 4;
    public static final short POLLERR = 8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;
    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    public static final int EINTR = 4;
    public static final int ESRCH = 3;
    public static final int EPIPE = 32;
    public static final int ECONNRESET = 104;
    // <sys/socket.h>
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_DONTWAIT = 0x40;
    /** The kernel's limit on descriptors in one SCM_RIGHTS message (SCM_MAX_FD). */
    public static final int MAX_FDS_PER_MESSAGE = 253;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    // futex(2): the one syscall whose number differs between the two platforms
    private static final long SYS_FUTEX = "aarch64".equals(System.getProperty("os.arch")) ? 98 : 202;
    private static final int FUTEX_WAIT = 0; // not FUTEX_PRIVATE_FLAG: the word is shared by processes
    private static final int FUTEX_WAKE = 1;
    public static final int EAGAIN = 11;
    public static final int ECHILD = 10;
    public static final int ETIMEDOUT = 110;
    public static final int EOVERFLOW = 75;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENAMETOOLONG = 36;

    /** Opaque glibc types, allocated with room to spare (glibc: 80, 336 and 128 bytes). */
    public static final long SPAWN_FILE_ACTIONS_SIZE = 256;
    public static final long SPAWNATTR_SIZE = 512;
    public static final long SIGSET_SIZE = 128;
    /** siginfo_t is 128 bytes; si_code at 8, si_pid at 16, si_status at 24. */
    public static final long SIGINFO_SIZE = 128;
    public static final long SIGINFO_CODE = 8;
    public static final long SIGINFO_PID = 16;
    public static final long SIGINFO_STATUS = 24;

    private static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static final MethodHandle POSIX_SPAWN = fn("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT = fn("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = fn("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_ADDDUP2 = fn("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDOPEN = fn("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDCHDIR = fn("posix_spawn_file_actions_addchdir_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle FA_ADDCLOSEFROM = fn("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = fn("posix_spawnattr_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = fn("posix_spawnattr_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = fn("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = fn("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGDEFAULT = fn("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = fn("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle PIPE2 = fn("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SYSCALL3 = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle SYSCALL5 = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle SYSCALL_FUTEX = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle SYSCALL_FUTEX_WAKE = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle WAITID = fn("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle POLL = fn("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle READ = fn("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = fn("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = fn("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SHM_OPEN = fn("shm_open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SHM_UNLINK = fn("shm_unlink",
            FunctionDescriptor.of(JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SIGNAL = fn("signal",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle SOCKETPAIR = fn("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SENDMSG = fn("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle RECVMSG = fn("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle EXIT_NOW = fn("_exit", FunctionDescriptor.ofVoid(JAVA_INT));
    private static final MethodHandle FCNTL = fn("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);

    /** The result of a call that sets errno: the C return value and errno right after it. */
    public record Result(long value, int errno) {
        public boolean failed() {
            return value == -1;
        }
    }

    /** Turns a failed call into an exception naming the call. */
    public static long check(String call, Result r) {
        if (r.failed()) {
            throw new PosixException(call, r.errno());
        }
        return r.value();
    }

    /** For functions that return an error number instead of setting errno (posix_spawn*). */
    public static void checkErr(String call, int err) {
        if (err != 0) {
            throw new PosixException(call, err);
        }
    }

    private static Result withErrno(Arena arena, ErrnoCall call) {
        MemorySegment state = arena.allocate(CALL_STATE);
        try {
            long value = call.invoke(state);
            return new Result(value, (int) ERRNO.get(state, 0L));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @FunctionalInterface
    private interface ErrnoCall {
        long invoke(MemorySegment state) throws Throwable;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- posix_spawn and its helpers (return an error number) ----

    public static int posixSpawn(MemorySegment pid, MemorySegment path, MemorySegment fileActions,
                                 MemorySegment attr, MemorySegment argv, MemorySegment envp) {
        return call(POSIX_SPAWN, pid, path, fileActions, attr, argv, envp);
    }

    public static int fileActionsInit(MemorySegment fa) { return call(FA_INIT, fa); }
    public static int fileActionsDestroy(MemorySegment fa) { return call(FA_DESTROY, fa); }
    public static int fileActionsAddDup2(MemorySegment fa, int fd, int newFd) { return call(FA_ADDDUP2, fa, fd, newFd); }
    public static int fileActionsAddOpen(MemorySegment fa, int fd, MemorySegment path, int flags, int mode) {
        return call(FA_ADDOPEN, fa, fd, path, flags, mode);
    }
    public static int fileActionsAddChdir(MemorySegment fa, MemorySegment path) { return call(FA_ADDCHDIR, fa, path); }
    public static int fileActionsAddCloseFrom(MemorySegment fa, int lowFd) { return call(FA_ADDCLOSEFROM, fa, lowFd); }
    public static int spawnAttrInit(MemorySegment attr) { return call(ATTR_INIT, attr); }
    public static int spawnAttrDestroy(MemorySegment attr) { return call(ATTR_DESTROY, attr); }
    public static int spawnAttrSetFlags(MemorySegment attr, short flags) { return call(ATTR_SETFLAGS, attr, flags); }
    public static int spawnAttrSetSigMask(MemorySegment attr, MemorySegment set) { return call(ATTR_SETSIGMASK, attr, set); }
    public static int spawnAttrSetSigDefault(MemorySegment attr, MemorySegment set) { return call(ATTR_SETSIGDEFAULT, attr, set); }
    public static int sigEmptySet(MemorySegment set) { return call(SIGEMPTYSET, set); }

    // ---- calls that set errno ----

    /** pipe2(O_CLOEXEC): returns {read end, write end}. */
    public static int[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            check("pipe2", withErrno(arena, s -> (int) PIPE2.invokeExact(s, fds, O_CLOEXEC)));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): two connected ends. */
    public static int[] socketPair() {
        return socketPair(AF_UNIX, SOCK_STREAM, 0);
    }

    /** socketpair(domain, type | SOCK_CLOEXEC, protocol): two connected ends (type may carry SOCK_NONBLOCK). */
    public static int[] socketPair(int domain, int type, int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            check("socketpair", withErrno(arena,
                    s -> (int) SOCKETPAIR.invokeExact(s, domain, type | SOCK_CLOEXEC, protocol, fds)));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    // struct msghdr (56 bytes): msg_iov at 16, msg_iovlen 24, msg_control 32, msg_controllen 40,
    // msg_flags 48. struct iovec: base, len. struct cmsghdr: len (8), level (4), type (4), data.
    private static final long MSGHDR_SIZE = 56;
    private static final long CMSG_HEADER = 16;

    private static MemorySegment messageHeader(Arena arena, MemorySegment data, int maxFds) {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ADDRESS, 0, data);
        iov.set(JAVA_LONG, 8, data.byteSize());
        MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
        msg.set(ADDRESS, 16, iov);
        msg.set(JAVA_LONG, 24, 1L);
        if (maxFds > 0) {
            long space = CMSG_HEADER + ((4L * maxFds + 7) & ~7L);
            MemorySegment control = arena.allocate(space, 8);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, space);
        }
        return msg;
    }

    /** A message of {@code data} with {@code fds} attached (SCM_RIGHTS), if any. */
    private static MemorySegment messageWithRights(Arena arena, MemorySegment data, int[] fds) {
        MemorySegment msg = messageHeader(arena, data, fds.length);
        if (fds.length > 0) {
            MemorySegment control = msg.get(ADDRESS, 32).reinterpret(msg.get(JAVA_LONG, 40));
            control.set(JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length);
            control.set(JAVA_INT, 8, SOL_SOCKET);
            control.set(JAVA_INT, 12, SCM_RIGHTS);
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
                Result r = withErrno(arena, s -> (long) SENDMSG.invokeExact(s, socket, msg, MSG_NOSIGNAL));
                if (r.failed() && r.errno() == EINTR) {
                    continue;
                }
                return check("sendmsg", r);
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
                Result r = withErrno(arena, s -> (long) SENDMSG.invokeExact(s, socket, msg, MSG_NOSIGNAL | MSG_DONTWAIT));
                if (r.failed() && r.errno() == EINTR) {
                    continue;
                }
                if (r.failed() && r.errno() == EAGAIN) {
                    return 0;
                }
                return check("sendmsg", r);
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
            Result r;
            do {
                r = withErrno(arena, s -> (long) RECVMSG.invokeExact(s, socket, msg, MSG_CMSG_CLOEXEC));
            } while (r.failed() && r.errno() == EINTR);
            long n = check("recvmsg", r);
            int[] fds = new int[0];
            long controlLen = msg.get(JAVA_LONG, 40);
            if (controlLen >= CMSG_HEADER) {
                MemorySegment control = msg.get(ADDRESS, 32).reinterpret(controlLen);
                if (control.get(JAVA_INT, 8) == SOL_SOCKET && control.get(JAVA_INT, 12) == SCM_RIGHTS) {
                    int count = (int) ((control.get(JAVA_LONG, 0) - CMSG_HEADER) / 4);
                    fds = new int[count];
                    MemorySegment.copy(control, JAVA_INT, CMSG_HEADER, fds, 0, count);
                }
            }
            return new Received(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), fds);
        }
    }

    /** pidfd_open(2): a descriptor that refers to the process and becomes readable when it ends. */
    public static int pidfdOpen(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) check("pidfd_open",
                    withErrno(arena, s -> (long) SYSCALL3.invokeExact(s, SYS_PIDFD_OPEN, pid, 0)));
        }
    }

    /** pidfd_send_signal(2): signals exactly the process the descriptor refers to (no pid reuse race). */
    public static Result pidfdSendSignal(int pidfd, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (long) SYSCALL5.invokeExact(s, SYS_PIDFD_SEND_SIGNAL, pidfd, signal,
                    MemorySegment.NULL, 0));
        }
    }

    /**
     * futex(FUTEX_WAIT) on a word of memory shared between processes: sleeps while the word holds
     * {@code expected}, until a {@link #futexWake}, the timeout (a struct timespec, relative) or
     * a signal. 0 when woken; otherwise -1 with errno EAGAIN (the word had changed), ETIMEDOUT or
     * EINTR.
     */
    public static Result futexWait(MemorySegment word, int expected, MemorySegment timeout) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (long) SYSCALL_FUTEX.invokeExact(s, SYS_FUTEX, word, FUTEX_WAIT,
                    expected, timeout));
        }
    }

    /** futex(FUTEX_WAKE): wakes up to {@code count} processes waiting on the word. */
    public static void futexWake(MemorySegment word, int count) {
        try {
            long woken = (long) SYSCALL_FUTEX_WAKE.invokeExact(SYS_FUTEX, word, FUTEX_WAKE, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static Result waitid(int idType, int id, MemorySegment info, int options) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (int) WAITID.invokeExact(s, idType, id, info, options));
        }
    }

    /** struct pollfd. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));
    public static final VarHandle POLLFD_FD = POLLFD.arrayElementVarHandle(MemoryLayout.PathElement.groupElement("fd"));
    public static final VarHandle POLLFD_EVENTS = POLLFD.arrayElementVarHandle(MemoryLayout.PathElement.groupElement("events"));
    public static final VarHandle POLLFD_REVENTS = POLLFD.arrayElementVarHandle(MemoryLayout.PathElement.groupElement("revents"));

    /** poll(2) on {@code count} {@link #POLLFD}s: the number with events, 0 on time-out or EINTR. */
    public static int poll(MemorySegment pollfds, int count, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            Result r = withErrno(arena, s -> (int) POLL.invokeExact(s, pollfds, (long) count, timeoutMillis));
            if (r.failed() && r.errno() == EINTR) {
                return 0;
            }
            return (int) check("poll", r);
        }
    }

    /** poll(2) on one descriptor: returns the revents, 0 on time-out. */
    public static short pollOne(int fd, short events, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(8, 4);
            while (true) {
                pfd.set(JAVA_INT, 0, fd);
                pfd.set(JAVA_SHORT, 4, events);
                pfd.set(JAVA_SHORT, 6, (short) 0);
                Result r = withErrno(arena, s -> (int) POLL.invokeExact(s, pfd, 1L, timeoutMillis));
                if (r.failed() && r.errno() == EINTR) {
                    continue;
                }
                check("poll", r);
                return r.value() == 0 ? 0 : pfd.get(JAVA_SHORT, 6);
            }
        }
    }

    public static Result read(int fd, MemorySegment buf, long count) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (long) READ.invokeExact(s, fd, buf, count));
        }
    }

    public static Result write(int fd, MemorySegment buf, long count) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (long) WRITE.invokeExact(s, fd, buf, count));
        }
    }

    /**
     * Reads up to {@code max} bytes, blocking until some are there; an empty array at end of
     * file. Retries EINTR.
     */
    public static byte[] readSome(int fd, int max) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(max);
            Result r;
            do {
                r = read(fd, buf, max);
            } while (r.failed() && r.errno() == EINTR);
            check("read", r);
            return buf.asSlice(0, r.value()).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            withErrno(arena, s -> (int) CLOSE.invokeExact(s, fd));
        }
    }

    /** shm_open(3): flags and mode as os.open's; the descriptor is close-on-exec. */
    public static Result shmOpen(String name, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            return withErrno(arena, s -> (int) SHM_OPEN.invokeExact(s, cName, flags, mode));
        }
    }

    public static Result shmUnlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            return withErrno(arena, s -> (int) SHM_UNLINK.invokeExact(s, cName));
        }
    }

    /** signal(sig, SIG_DFL): the default action (for SIGTERM: death by the signal). */
    public static void setDefaultAction(int sig) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(sig, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * _exit(2): ends the process at once, as Python's os._exit. Only once the program is done
     * (Context closed or Process run, streams flushed): a JVM's own exit brings every thread,
     * the JIT's compiler threads included, to a safepoint first, which costs ~0.4 s here
     * (measured from a child's last line of Python to its pidfd becoming readable).
     */
    public static void exitNow(int status) {
        System.out.flush();
        System.err.flush();
        try {
            EXIT_NOW.invokeExact(status);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A duplicate of fd, close-on-exec, numbered at least minFd. */
    public static int dupCloexec(int fd, int minFd) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) check("fcntl(F_DUPFD_CLOEXEC)",
                    withErrno(arena, s -> (int) FCNTL.invokeExact(s, fd, F_DUPFD_CLOEXEC, minFd)));
        }
    }

    /** fcntl(F_SETPIPE_SZ): the pipe's new capacity in bytes (the kernel rounds up), or -1. */
    public static Result setPipeSize(int fd, int bytes) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (int) FCNTL.invokeExact(s, fd, F_SETPIPE_SZ, bytes));
        }
    }

    /** Writes all of data to fd, retrying on EINTR; false if the reader is gone (EPIPE). */
    public static boolean writeFully(int fd, byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(data.length == 0 ? 1 : data.length);
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            long off = 0;
            while (off < data.length) {
                Result r = write(fd, buf.asSlice(off), data.length - off);
                if (r.failed()) {
                    if (r.errno() == EINTR) {
                        continue;
                    }
                    if (r.errno() == EPIPE) {
                        return false;
                    }
                    check("write", r);
                }
                off += r.value();
            }
            return true;
        }
    }

    /** Reads exactly n bytes from fd; throws on end of file. */
    public static byte[] readFully(int fd, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(n, 1));
            long off = 0;
            while (off < n) {
                Result r = read(fd, buf.asSlice(off), n - off);
                if (r.failed()) {
                    if (r.errno() == EINTR) {
                        continue;
                    }
                    check("read", r);
                }
                if (r.value() == 0) {
                    throw new PosixException("read: end of file after " + off + " of " + n + " bytes", 0);
                }
                off += r.value();
            }
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
