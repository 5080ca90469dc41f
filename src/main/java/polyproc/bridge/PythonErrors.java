package polyproc.bridge;

import java.util.function.Supplier;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import polyproc.internal.posix.PosixException;

/**
 * How a failed system call crosses to Python: as the {@code OSError} CPython raises for it (its
 * errno picks the subclass: FileNotFoundError, ...), thrown through the host call so that Python
 * code sees a plain Python exception.
 */
final class PythonErrors {
    private final Value osError;
    private final Value strerror;

    PythonErrors(Context context) {
        this.osError = context.eval("python", "OSError");
        this.strerror = context.eval("python", "import os\nos.strerror");
    }

    /** {@code call}'s value; a {@link PosixException} becomes the OSError. */
    <T> T call(Supplier<T> call) {
        return call(null, call);
    }

    /** As {@link #call(Supplier)}, with the OSError's filename. */
    <T> T call(String filename, Supplier<T> call) {
        try {
            return call.get();
        } catch (PosixException e) {
            throw raise(e.errno(), filename, e.getMessage());
        }
    }

    /** Raises OSError(errno, strerror[, filename]); an errno of 0 gives OSError(message). */
    RuntimeException raise(int errno, String filename, String message) {
        Value error;
        if (errno == 0) {
            error = osError.execute(message);
        } else if (filename == null) {
            error = osError.execute(errno, strerror.execute(errno));
        } else {
            error = osError.execute(errno, strerror.execute(errno), filename);
        }
        throw error.throwException();
    }
}
