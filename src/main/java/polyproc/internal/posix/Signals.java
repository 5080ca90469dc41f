package polyproc.internal.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static polyproc.internal.posix.Native.call;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.rethrow;

/** Signal numbers ({@code <signal.h>}), a signal's default action, and the sigset_t helpers. */
public final class Signals {
    private Signals() {}

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    /** sigset_t is opaque: allocated with room to spare (glibc: 128 bytes). */
    public static final long SIGSET_SIZE = 128;

    private static final MethodHandle SIGEMPTYSET = fn("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGNAL = fn("signal",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
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

    /** raise(3): sends {@code sig} to this process (SIGKILL: it ends at once, every thread). */
    public static void raise(int sig) {
        call(RAISE, sig);
    }
}
