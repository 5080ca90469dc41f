package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static polyproc.internal.posix.Native.CAPTURE_ERRNO;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.withErrno;

/**
 * File descriptors ({@code <unistd.h>}, {@code <fcntl.h>}): pipes, reading and writing, closing,
 * duplicating, a pipe's capacity.
 */
public final class Io {
    private Io() {}

    public static final int O_CLOEXEC = 0x80000;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_SETPIPE_SZ = 1031;

    private static final MethodHandle PIPE2 = fn("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle READ = fn("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = fn("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = fn("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle DUP2 = fn("dup2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle FCNTL = fn("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);

    /** pipe2(O_CLOEXEC): returns {read end, write end}. */
    public static int[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            Errno.check("pipe2", withErrno(arena, s -> (int) PIPE2.invokeExact(s, fds, O_CLOEXEC)));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    public static Errno.Result read(int fd, MemorySegment buf, long count) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (long) READ.invokeExact(s, fd, buf, count));
        }
    }

    public static Errno.Result write(int fd, MemorySegment buf, long count) {
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
            Errno.Result r;
            do {
                r = read(fd, buf, max);
            } while (r.failed() && r.errno() == Errno.EINTR);
            Errno.check("read", r);
            return buf.asSlice(0, r.value()).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Reads exactly n bytes from fd; throws on end of file. */
    public static byte[] readFully(int fd, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(n, 1));
            long off = 0;
            while (off < n) {
                Errno.Result r = read(fd, buf.asSlice(off), n - off);
                if (r.failed()) {
                    if (r.errno() == Errno.EINTR) {
                        continue;
                    }
                    Errno.check("read", r);
                }
                if (r.value() == 0) {
                    throw new PosixException("read: end of file after " + off + " of " + n + " bytes", 0);
                }
                off += r.value();
            }
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Writes all of data to fd, retrying on EINTR; false if the reader is gone (EPIPE). */
    public static boolean writeFully(int fd, byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(data.length == 0 ? 1 : data.length);
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            long off = 0;
            while (off < data.length) {
                Errno.Result r = write(fd, buf.asSlice(off), data.length - off);
                if (r.failed()) {
                    if (r.errno() == Errno.EINTR) {
                        continue;
                    }
                    if (r.errno() == Errno.EPIPE) {
                        return false;
                    }
                    Errno.check("write", r);
                }
                off += r.value();
            }
            return true;
        }
    }

    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            withErrno(arena, s -> (int) CLOSE.invokeExact(s, fd));
        }
    }

    /** dup2(2): {@code fd} also at {@code target} (which is not close-on-exec). */
    public static void dup2(int fd, int target) {
        try (Arena arena = Arena.ofConfined()) {
            Errno.check("dup2", withErrno(arena, s -> (int) DUP2.invokeExact(s, fd, target)));
        }
    }

    /** A duplicate of fd, close-on-exec, numbered at least minFd. */
    public static int dupCloexec(int fd, int minFd) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Errno.check("fcntl(F_DUPFD_CLOEXEC)",
                    withErrno(arena, s -> (int) FCNTL.invokeExact(s, fd, F_DUPFD_CLOEXEC, minFd)));
        }
    }

    /** fcntl(F_SETPIPE_SZ): the pipe's new capacity in bytes (the kernel rounds up), or -1. */
    public static Errno.Result setPipeSize(int fd, int bytes) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (int) FCNTL.invokeExact(s, fd, F_SETPIPE_SZ, bytes));
        }
    }
}
