package polyproc.forkserver;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How many booted workers the forkserver keeps idle. */
class IdlePolicyTest {
    private static final long GIB = 1L << 30;

    @Test
    void startsWithOneAndGrowsWithEachStartThatFoundNoneReady() {
        IdlePolicy policy = IdlePolicy.of(null, 2, 16 * GIB);
        assertEquals(1, policy.target());
        assertEquals(4, policy.max(), "cores, at least 4");
        for (int i = 0; i < 10; i++) {
            policy.foundNoneReady();
        }
        assertEquals(4, policy.target(), "never past the bound");
    }

    @Test
    void boundedByCoresAndAvailableMemory() {
        assertEquals(8, IdlePolicy.of(null, 8, 64 * GIB).max());
        assertEquals(3, IdlePolicy.of(null, 8, 3 * GIB + 5).max(), "one per GiB available");
        assertEquals(1, IdlePolicy.of(null, 8, GIB / 2).max(), "at least one");
    }

    @Test
    void environmentFixesTheCount() {
        IdlePolicy none = IdlePolicy.of("0", 8, 64 * GIB);
        none.foundNoneReady();
        assertEquals(0, none.target(), "0: boot on demand only");
        IdlePolicy three = IdlePolicy.of(" 3 ", 2, GIB);
        three.foundNoneReady();
        assertEquals(3, three.target());
        assertThrows(IllegalArgumentException.class, () -> IdlePolicy.of("many", 2, GIB));
    }
}
