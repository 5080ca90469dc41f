package polyproc.internal.posix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A signal's disposition as sigaction reports it (SIGWINCH: its default action is to ignore it). */
class SignalsTest {
    @Test
    void ignoredAndDefaultAreToldApart() {
        try {
            Signals.setDefaultAction(Signals.SIGWINCH);
            assertFalse(Signals.isIgnored(Signals.SIGWINCH));
            Signals.ignore(Signals.SIGWINCH);
            assertTrue(Signals.isIgnored(Signals.SIGWINCH));
        } finally {
            Signals.setDefaultAction(Signals.SIGWINCH);
        }
        assertFalse(Signals.isIgnored(Signals.SIGWINCH));
    }
}
