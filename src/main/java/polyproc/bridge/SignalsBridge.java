package polyproc.bridge;

import org.graalvm.polyglot.HostAccess;

import polyproc.internal.posix.Signals;

/** For python/polyproc/signals.py: signal.signal for a signal the process ignores. */
public final class SignalsBridge {
    SignalsBridge() {}

    /**
     * Whether the process still ignores {@code sig} after a handler was installed for it (the
     * JVM does not take SIGHUP, SIGINT or SIGTERM while they are ignored: HotSpot's
     * JVM_RegisterSignal); if so, sig gets its default action, so that installing the handler
     * again takes.
     */
    @HostAccess.Export
    public boolean clearIgnored(int sig) {
        if (!Signals.isIgnored(sig)) {
            return false;
        }
        Signals.setDefaultAction(sig);
        return true;
    }
}
