package polyproc.launch;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import polyproc.supervise.ChildProcess;
import polyproc.internal.posix.Errno;
import polyproc.internal.posix.Io;
import polyproc.internal.posix.Signals;
import polyproc.internal.posix.Sockets;
import polyproc.internal.posix.Spawn;
import polyproc.protocol.Bootstrap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Starts a child process with posix_spawn through the FFM API.
 *
 * <p>Why not {@code ProcessBuilder}: it passes the child no descriptor but 0, 1 and 2, reports
 * death by signal N as 128+N, and reaps the child in a JDK thread. A child here needs more: its
 * bootstrap socket (the pickled Process, its descriptors, and the parent-liveness signal) and the descriptors of the
 * Connections it was handed, at fixed numbers; the raw wait status; and a pidfd for its sentinel.
 * posix_spawn with file actions does all of that in one call, with no fork of the JVM's address
 * space (glibc uses clone(CLONE_VM|CLONE_VFORK)). Cost (bench/SpawnCost.java, start and reap of
 * /bin/true, 2 cores, loaded): 2.3 ms per child here against 1.6 ms with ProcessBuilder; both
 * vanish next to a child JVM's boot (4-7 s), so the control it gives costs nothing that counts.
 *
 * <p>Descriptor layout in the child: 3 is the child's end of the bootstrap socket (a Unix socket
 * pair, so that descriptors can follow later with SCM_RIGHTS), 4, 5, ... are the
 * descriptors passed in {@code passFds}, in order; everything above is closed (closefrom), so no
 * descriptor the JVM happened to leave inheritable leaks into the child.
 */
public final class Spawner {
    // Signals a parent may ignore (SIG_IGN survives exec); the child starts with their defaults.
    private static final int[] SIGNALS_TO_DEFAULT = {1, 2, 3, 13, 15, 25}; // HUP INT QUIT PIPE TERM XFSZ

    private Spawner() {}

    /**
     * The child's descriptors 0, 1 and 2: {@code stdout}/{@code stderr} are descriptors of this
     * process to put there, -1 to leave the parent's; stdin /dev/null or the parent's.
     */
    public record Stdio(boolean nullStdin, int stdout, int stderr) {
        public static final Stdio INHERIT = new Stdio(false, -1, -1);
    }

    /**
     * Spawns {@code argv} with environment {@code env} in directory {@code cwd}, sends
     * {@code bootstrap} to its descriptor 3, and hands it {@code passFds} as 4, 5, ...
     * ({@link ChildProcess#send} sends more later.)
     */
    public static ChildProcess spawn(List<String> argv, List<String> env, String cwd, Stdio stdio,
                                     int[] passFds, byte[] bootstrap) {
        return onLauncherThread(() -> spawnHere(argv, env, cwd, stdio, passFds, bootstrap, new int[0], true), argv);
    }

    /**
     * Spawns a helper the way CPython's multiprocessing starts its resource tracker: it begins
     * with {@code blockedSignals} blocked (CPython blocks SIGINT and SIGTERM around the spawn, so
     * that the tracker has set them to ignored before one can kill it), and nothing in Java reaps
     * it in the background: the program may os.waitpid() it, as in CPython, or
     * {@link ChildProcess#poll()} it.
     */
    public static ChildProcess spawnHelper(List<String> argv, List<String> env, String cwd, Stdio stdio,
                                           int[] passFds, int[] blockedSignals) {
        return onLauncherThread(() -> spawnHere(argv, env, cwd, stdio, passFds, new byte[0], blockedSignals, false), argv);
    }

    private static ChildProcess onLauncherThread(Supplier<ChildProcess> spawn, List<String> argv) {
        if (Thread.currentThread() == LAUNCHER_THREAD) {
            return spawn.get();
        }
        try {
            return LAUNCHER.submit(spawn::get).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + argv.get(0), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * {@code argv} prefixed so that the kernel kills the child when this JVM dies, however it
     * dies: {@code setpriv --pdeathsig KILL} (util-linux) sets PR_SET_PDEATHSIG and execs the
     * program. A child JVM also watches its bootstrap socket (WorkerMain), but only once its
     * main() runs; a worker still booting when a host is SIGKILLed was seen to live on for over
     * 2 s on a loaded machine. Without setpriv, the argv is returned as it is (the socket watch
     * remains).
     */
    public static List<String> diesWithParent(List<String> argv) {
        return withParentDeathSignal("KILL", argv);
    }

    /**
     * {@code argv} prefixed so that the kernel sends the child {@code signal} (a name setpriv
     * knows: KILL, CONT) when this JVM dies, or as it is without setpriv ({@link
     * #hasParentDeathSignal}). The signal follows the thread that spawned, not the process, so
     * every spawn runs on one thread that lives as long as the JVM ({@link #LAUNCHER}).
     */
    public static List<String> withParentDeathSignal(String signal, List<String> argv) {
        if (!hasParentDeathSignal()) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(List.of(SETPRIV.getPath(), "--pdeathsig", signal, "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    /** Whether {@link #withParentDeathSignal} can give a child a parent-death signal (setpriv is there). */
    public static boolean hasParentDeathSignal() {
        return SETPRIV.canExecute();
    }

    private static final File SETPRIV = new File("/usr/bin/setpriv");
    private static volatile Thread LAUNCHER_THREAD;
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = Thread.ofPlatform().daemon().name("polyproc-launcher").unstarted(r);
        LAUNCHER_THREAD = t;
        return t;
    });

    private static ChildProcess spawnHere(List<String> argv, List<String> env, String cwd, Stdio stdio,
                                          int[] passFds, byte[] bootstrap, int[] blockedSignals,
                                          boolean reapInBackground) {
        int[] boot = Sockets.socketPair();
        int pid;
        try (Arena arena = Arena.ofConfined()) {
            int[] fds = new int[passFds.length + 1];
            fds[0] = boot[0];
            System.arraycopy(passFds, 0, fds, 1, passFds.length);

            MemorySegment actions = arena.allocate(Spawn.SPAWN_FILE_ACTIONS_SIZE, 16);
            Errno.checkErr("posix_spawn_file_actions_init", Spawn.fileActionsInit(actions));
            MemorySegment attr = arena.allocate(Spawn.SPAWNATTR_SIZE, 16);
            Errno.checkErr("posix_spawnattr_init", Spawn.spawnAttrInit(attr));
            try {
                addStdio(arena, actions, stdio);
                addDescriptorLayout(actions, fds);
                if (cwd != null) {
                    Errno.checkErr("posix_spawn_file_actions_addchdir_np",
                            Spawn.fileActionsAddChdir(actions, arena.allocateFrom(cwd)));
                }
                MemorySegment mask = arena.allocate(Signals.SIGSET_SIZE, 8);
                Signals.sigEmptySet(mask);
                for (int sig : blockedSignals) {
                    sigAdd(mask, sig);
                }
                MemorySegment defaults = arena.allocate(Signals.SIGSET_SIZE, 8);
                Signals.sigEmptySet(defaults);
                for (int sig : SIGNALS_TO_DEFAULT) {
                    sigAdd(defaults, sig);
                }
                Errno.checkErr("posix_spawnattr_setsigmask", Spawn.spawnAttrSetSigMask(attr, mask));
                Errno.checkErr("posix_spawnattr_setsigdefault", Spawn.spawnAttrSetSigDefault(attr, defaults));
                Errno.checkErr("posix_spawnattr_setflags", Spawn.spawnAttrSetFlags(attr,
                        (short) (Spawn.POSIX_SPAWN_SETSIGDEF | Spawn.POSIX_SPAWN_SETSIGMASK)));

                MemorySegment pidOut = arena.allocate(JAVA_INT);
                int err = Spawn.posixSpawn(pidOut, arena.allocateFrom(argv.get(0)), actions, attr,
                        cStrings(arena, argv), cStrings(arena, env));
                Errno.checkErr("posix_spawn " + argv.get(0), err);
                pid = pidOut.get(JAVA_INT, 0);
            } finally {
                Spawn.fileActionsDestroy(actions);
                Spawn.spawnAttrDestroy(attr);
            }
        } catch (RuntimeException e) {
            Io.close(boot[1]);
            throw e;
        } finally {
            Io.close(boot[0]);
        }
        ChildProcess child = ChildProcess.started(pid, boot[1], reapInBackground);
        child.send(bootstrap, new int[0], new byte[0]);
        return child;
    }

    /** First of the file actions: the sources are above 2 and the layout below never moves 0-2. */
    private static void addStdio(Arena arena, MemorySegment actions, Stdio stdio) {
        if (stdio.nullStdin()) {
            Errno.checkErr("posix_spawn_file_actions_addopen", Spawn.fileActionsAddOpen(actions, 0,
                    arena.allocateFrom("/dev/null"), 0 /* O_RDONLY */, 0));
        }
        for (int target = 1; target <= 2; target++) {
            int source = target == 1 ? stdio.stdout() : stdio.stderr();
            if (source >= 0) {
                Errno.checkErr("posix_spawn_file_actions_adddup2", Spawn.fileActionsAddDup2(actions, source, target));
            }
        }
    }

    /**
     * dup2 every fds[i] to 3+i. The sources are first moved above every number involved, so no
     * dup2 overwrites a source that a later one still needs.
     */
    private static void addDescriptorLayout(MemorySegment actions, int[] fds) {
        int high = Bootstrap.FD + fds.length;
        for (int fd : fds) {
            high = Math.max(high, fd + 1);
        }
        for (int i = 0; i < fds.length; i++) {
            Errno.checkErr("posix_spawn_file_actions_adddup2", Spawn.fileActionsAddDup2(actions, fds[i], high + i));
        }
        for (int i = 0; i < fds.length; i++) {
            Errno.checkErr("posix_spawn_file_actions_adddup2",
                    Spawn.fileActionsAddDup2(actions, high + i, Bootstrap.FD + i));
        }
        Errno.checkErr("posix_spawn_file_actions_addclosefrom_np",
                Spawn.fileActionsAddCloseFrom(actions, Bootstrap.FD + fds.length));
    }

    /** sigaddset for Linux's sigset_t: a bit array of unsigned longs, signal n at bit n-1. */
    private static void sigAdd(MemorySegment set, int sig) {
        long index = (sig - 1) / 64;
        long word = set.getAtIndex(JAVA_LONG, index);
        set.setAtIndex(JAVA_LONG, index, word | (1L << ((sig - 1) % 64)));
    }

    private static MemorySegment cStrings(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }
}
