package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;

import polyproc.supervise.ChildProcess;

/** A child process as Python sees it: popen.py's Popen, resource_tracker.py's server. */
public final class ChildHandle {
    private final ChildProcess process;
    private final PythonErrors errors;

    ChildHandle(ChildProcess process, PythonErrors errors) {
        this.process = process;
        this.errors = errors;
    }

    /** The child, for Java (polyproc.embed). */
    public ChildProcess process() {
        return process;
    }

    @HostAccess.Export
    public int pid() {
        return process.pid();
    }

    /** The return code as CPython reports it (n for exit(n), -N for signal N), or None while running. */
    @HostAccess.Export
    public Integer poll() {
        return errors.call(process::poll);
    }

    /** A new descriptor, owned by the caller, that becomes readable when the child ends (the sentinel). */
    @HostAccess.Export
    public int newSentinel() {
        return errors.call(process::newSentinel);
    }

    /** Sends signal sig; false if the child has already ended. */
    @HostAccess.Export
    public boolean signal(int sig) {
        return errors.call(() -> process.signal(sig));
    }
}
