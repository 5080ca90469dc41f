package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static polyproc.internal.posix.Native.CAPTURE_ERRNO;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.withErrno;

/** poll(2) ({@code <poll.h>}): the events, struct pollfd, and waiting on one or many descriptors. */
public final class Poll {
    private Poll() {}

    public static final short POLLIN = 1;
    public static final short POLLOUT = 4;
    public static final short POLLERR = 8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    /** struct pollfd. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));
    public static final VarHandle POLLFD_FD = POLLFD.arrayElementVarHandle(groupElement("fd"));
    public static final VarHandle POLLFD_EVENTS = POLLFD.arrayElementVarHandle(groupElement("events"));
    public static final VarHandle POLLFD_REVENTS = POLLFD.arrayElementVarHandle(groupElement("revents"));

    private static final MethodHandle POLL = fn("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);

    /** poll(2) on {@code count} {@link #POLLFD}s: the number with events, 0 on time-out or EINTR. */
    public static int poll(MemorySegment pollfds, int count, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            Errno.Result r = withErrno(arena, s -> (int) POLL.invokeExact(s, pollfds, (long) count, timeoutMillis));
            if (r.failed() && r.errno() == Errno.EINTR) {
                return 0;
            }
            return (int) Errno.check("poll", r);
        }
    }

    /** poll(2) on one descriptor: returns the revents, 0 on time-out. */
    public static short pollOne(int fd, short events, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(POLLFD);
            while (true) {
                POLLFD_FD.set(pfd, 0L, 0L, fd);
                POLLFD_EVENTS.set(pfd, 0L, 0L, events);
                POLLFD_REVENTS.set(pfd, 0L, 0L, (short) 0);
                Errno.Result r = withErrno(arena, s -> (int) POLL.invokeExact(s, pfd, 1L, timeoutMillis));
                if (r.failed() && r.errno() == Errno.EINTR) {
                    continue;
                }
                Errno.check("poll", r);
                return r.value() == 0 ? 0 : (short) POLLFD_REVENTS.get(pfd, 0L, 0L);
            }
        }
    }
}
