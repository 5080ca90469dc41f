package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static polyproc.internal.posix.Native.call;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.rethrow;

/**
 * Signal numbers ({@code <signal.h>}), a signal's default action or SIG_IGN, and the sigset_t
 * helpers.
 */
public final class Signals {
    private Signals() {}

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGTERM = 15;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;
    public static final int SIGTSTP = 20;
    public static final int SIGWINCH = 28;

    /** struct sigaction begins with the handler (glibc, x86_64 and aarch64): 152 bytes, with room. */
    private static final long SIGACTION_SIZE = 256;
    private static final long SIG_IGN = 1;

    /** sigset_t is opaque: allocated with room to spare (glibc: 128 bytes). */
    public static final long SIGSET_SIZE = 128;

    private static final MethodHandle SIGEMPTYSET = fn("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGNAL = fn("signal",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle SIGACTION = fn("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RAISE = fn("raise", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** sigemptyset(3) on a {@link #SIGSET_SIZE} allocation. */
    public static int sigEmptySet(MemorySegment set) { return call(SIGEMPTYSET, set); }

    /** signal(sig, SIG_DFL): the default action (for SIGTERM: death by the signal). */
    public static void setDefaultAction(int sig) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(sig, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** signal(sig, SIG_IGN). */
    public static void ignore(int sig) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(sig, MemorySegment.ofAddress(SIG_IGN));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether this process ignores sig (SIG_IGN survives exec: nohup's SIGHUP, for one). */
    public static boolean isIgnored(int sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(SIGACTION_SIZE, 8);
            call(SIGACTION, sig, MemorySegment.NULL, action);
            return action.get(JAVA_LONG, 0) == SIG_IGN;
        }
    }

    /** raise(3): sends {@code sig} to this process (SIGKILL: it ends at once, every thread). */
    public static void raise(int sig) {
        call(RAISE, sig);
    }
}
