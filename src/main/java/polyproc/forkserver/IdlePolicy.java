package polyproc.forkserver;

/**
 * How many booted workers the forkserver keeps idle. One idle worker costs a JVM's resident memory
 * (300-660 MB here, docs/performance.md) and boots for seconds on a core, so the pool starts
 * with {@value #INITIAL}: enough to start the next Process at once, and cheap when none comes. It
 * grows with demand: each start() that finds no worker ready keeps one more, up to
 * {@link #maxIdle} (cores, at least 4, and no more than one per GiB of available memory), so a
 * program that starts children in waves (a Pool per batch, bursts of Processes) finds them booted
 * from its second wave on. {@value #ENV}=N fixes the count at N instead (0: boot on demand only).
 */
public final class IdlePolicy {
    public static final String ENV = "POLYPROC_FORKSERVER_IDLE";
    static final int INITIAL = 1;

    private final boolean fixed;
    private final int max;
    private int target;

    private IdlePolicy(boolean fixed, int target, int max) {
        this.fixed = fixed;
        this.target = target;
        this.max = max;
    }

    /** The policy {@value #ENV} ({@code chosen}, null if unset) asks for on a machine of this size. */
    public static IdlePolicy of(String chosen, int cores, long availableBytes) {
        if (chosen == null) {
            return new IdlePolicy(false, INITIAL, maxIdle(cores, availableBytes));
        }
        try {
            int count = Math.max(0, Integer.parseInt(chosen.trim()));
            return new IdlePolicy(true, count, count);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV + " must be a number, not '" + chosen.trim() + "'");
        }
    }

    /** Cores, at least 4, at most one per GiB of available memory, at least 1. */
    static int maxIdle(int cores, long availableBytes) {
        return (int) Math.max(1, Math.min(Math.max(4, cores), availableBytes >> 30));
    }

    /** How many idle workers to keep now. */
    public int target() {
        return target;
    }

    /** The most idle workers this policy ever keeps. */
    public int max() {
        return max;
    }

    /** A start() found no worker ready: demand outran the idle workers, so keep one more. */
    public void foundNoneReady() {
        if (!fixed && target < max) {
            target++;
        }
    }
}
