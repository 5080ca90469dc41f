package polyproc.embed;

/** A {@link PythonProcess} ended without a result: the function raised, exited or was killed. */
public final class PythonProcessException extends Exception {
    private final int exitCode;

    PythonProcessException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The child's exit code (multiprocessing's: 1 after an exception, -N after signal N). */
    public int exitCode() {
        return exitCode;
    }
}
