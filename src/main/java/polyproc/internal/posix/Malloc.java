package polyproc.internal.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static polyproc.internal.posix.Native.fn;
import static polyproc.internal.posix.Native.rethrow;

/** glibc's allocator ({@code <malloc.h>}). */
public final class Malloc {
    private Malloc() {}

    private static final MethodHandle MALLOC_TRIM = fn("malloc_trim",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG));

    /** malloc_trim(0): gives the free memory of every arena back to the system. */
    public static void trim() {
        try {
            int released = (int) MALLOC_TRIM.invokeExact(0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
