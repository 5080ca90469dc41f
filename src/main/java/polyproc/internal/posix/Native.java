package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The plumbing every file of this package calls C through (Linux, glibc, the FFM API): the
 * linker, symbol lookup, downcall declaration and errno capture. Each C function is declared in
 * the one file of its concern ({@link Spawn}, {@link Sockets}, {@link Io}, ...), once, through
 * {@link #fn}; struct sizes and constants there are those of Linux on x86_64 and aarch64, the
 * platforms polyproc supports.
 */
final class Native {
    private Native() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** For a call that reports failure through errno: pass to {@link #fn}, call through {@link #withErrno}. */
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** A downcall handle to libc's {@code name}. */
    static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** Calls a {@link #CAPTURE_ERRNO} handle: its return value and errno right after it. */
    static Errno.Result withErrno(Arena arena, ErrnoCall call) {
        MemorySegment state = arena.allocate(CALL_STATE);
        try {
            long value = call.invoke(state);
            return new Errno.Result(value, (int) ERRNO.get(state, 0L));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @FunctionalInterface
    interface ErrnoCall {
        long invoke(MemorySegment state) throws Throwable;
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** Calls a handle that returns an int and sets no errno. */
    static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
