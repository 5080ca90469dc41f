package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static polyproc.internal.posix.Native.CAPTURE_ERRNO;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.rethrow;
import static polyproc.internal.posix.Native.withErrno;

/**
 * Processes by descriptor: pidfd_open(2), pidfd_send_signal(2), waitid(2) and the siginfo_t it
 * fills ({@code <sys/wait.h>}); and _exit(2) for this process.
 */
public final class Processes {
    private Processes() {}

    public static final int P_PIDFD = 3;
    public static final int WNOHANG = 1;
    public static final int WEXITED = 4;
    public static final int WNOWAIT = 0x01000000;
    public static final int CLD_EXITED = 1;
    public static final int CLD_KILLED = 2;
    public static final int CLD_DUMPED = 3;

    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;

    /**
     * siginfo_t as waitid fills it for a child (Linux, x86_64 and aarch64): the three ints, padding
     * to the 8-aligned union, then the union's SIGCHLD member; 128 bytes in all.
     */
    public static final StructLayout SIGINFO = MemoryLayout.structLayout(
            JAVA_INT.withName("si_signo"),
            JAVA_INT.withName("si_errno"),
            JAVA_INT.withName("si_code"),
            MemoryLayout.paddingLayout(4),
            JAVA_INT.withName("si_pid"),
            JAVA_INT.withName("si_uid"),
            JAVA_INT.withName("si_status"),
            MemoryLayout.paddingLayout(100)).withByteAlignment(8);
    public static final long SIGINFO_SIZE = SIGINFO.byteSize();
    public static final long SIGINFO_CODE = SIGINFO.byteOffset(groupElement("si_code"));
    public static final long SIGINFO_PID = SIGINFO.byteOffset(groupElement("si_pid"));
    public static final long SIGINFO_STATUS = SIGINFO.byteOffset(groupElement("si_status"));

    private static final MethodHandle SYSCALL3 = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle SYSCALL5 = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle WAITID = fn("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle EXIT_NOW = fn("_exit", FunctionDescriptor.ofVoid(JAVA_INT));

    /** pidfd_open(2): a descriptor that refers to the process and becomes readable when it ends. */
    public static int pidfdOpen(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Errno.check("pidfd_open",
                    withErrno(arena, s -> (long) SYSCALL3.invokeExact(s, SYS_PIDFD_OPEN, pid, 0)));
        }
    }

    /** pidfd_send_signal(2): signals exactly the process the descriptor refers to (no pid reuse race). */
    public static Errno.Result pidfdSendSignal(int pidfd, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (long) SYSCALL5.invokeExact(s, SYS_PIDFD_SEND_SIGNAL, pidfd, signal,
                    MemorySegment.NULL, 0));
        }
    }

    /** waitid(2) into {@code info}, a {@link #SIGINFO} ({@link #SIGINFO_SIZE} bytes). */
    public static Errno.Result waitid(int idType, int id, MemorySegment info, int options) {
        try (Arena arena = Arena.ofConfined()) {
            return withErrno(arena, s -> (int) WAITID.invokeExact(s, idType, id, info, options));
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
}
