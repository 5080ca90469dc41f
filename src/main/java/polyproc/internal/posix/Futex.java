package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static polyproc.internal.posix.Native.CAPTURE_ERRNO;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.rethrow;
import static polyproc.internal.posix.Native.withErrno;

/** futex(2) on a word of memory shared between processes (what {@link NamedSemaphore} sleeps on). */
public final class Futex {
    private Futex() {}

    // futex(2): the one syscall whose number differs between the two platforms
    private static final long SYS_FUTEX = "aarch64".equals(System.getProperty("os.arch")) ? 98 : 202;
    private static final int FUTEX_WAIT = 0; // not FUTEX_PRIVATE_FLAG: the word is shared by processes
    private static final int FUTEX_WAKE = 1;

    /** struct timespec (16 bytes): the relative timeout of {@link #futexWait}. */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));
    public static final VarHandle TIMESPEC_SEC = TIMESPEC.varHandle(groupElement("tv_sec"));
    public static final VarHandle TIMESPEC_NSEC = TIMESPEC.varHandle(groupElement("tv_nsec"));

    private static final MethodHandle SYSCALL_FUTEX = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle SYSCALL_FUTEX_WAKE = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(1));

    /**
     * futex(FUTEX_WAIT) on a word of memory shared between processes: sleeps while the word holds
     * {@code expected}, until a {@link #futexWake}, the timeout (a {@link #TIMESPEC}, relative) or
     * a signal. 0 when woken; otherwise -1 with errno EAGAIN (the word had changed), ETIMEDOUT or
     * EINTR.
     */
    public static Errno.Result futexWait(MemorySegment word, int expected, MemorySegment timeout) {
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
}
