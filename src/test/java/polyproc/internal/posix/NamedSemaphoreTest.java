package polyproc.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The semaphore under multiprocessing's locks: its own semantics, and glibc's view of it. */
class NamedSemaphoreTest {
    private final String name = "/polyproc-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private final Path file = Path.of("/dev/shm/sem." + name.substring(1));

    @AfterEach
    void removeFile() throws Exception {
        Files.deleteIfExists(file);
    }

    @Test
    void createOpenUnlinkAsSemOpen() throws Exception {
        NamedSemaphore sem = NamedSemaphore.create(name, 2);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(17, assertThrows(NamedSemaphore.OpenFailed.class, () -> NamedSemaphore.create(name, 0)).errno());
        NamedSemaphore other = NamedSemaphore.open(name);
        assertTrue(sem.tryWait());
        assertEquals(1, other.value());
        assertTrue(other.tryWait());
        assertFalse(sem.tryWait());
        assertEquals(0, other.post());
        assertEquals(1, sem.value());
        assertEquals(0, NamedSemaphore.unlink(name));
        assertFalse(Files.exists(file));
        assertEquals(2, NamedSemaphore.unlink(name));
        assertEquals(2, assertThrows(NamedSemaphore.OpenFailed.class, () -> NamedSemaphore.open(name)).errno());
        assertEquals(22, assertThrows(NamedSemaphore.OpenFailed.class, () -> NamedSemaphore.create("/a/b", 0)).errno());
        assertEquals(1, sem.value(), "the mapping outlives the name");
    }

    @Test
    void waitTimesOutAndWakesOnPost() throws Exception {
        NamedSemaphore sem = NamedSemaphore.create(name, 0);
        long t0 = System.nanoTime();
        assertFalse(sem.waitFor(TimeUnit.MILLISECONDS.toNanos(200)));
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(200) && waited < TimeUnit.SECONDS.toNanos(5), "waited " + waited);
        CompletableFuture<Boolean> sleeper = CompletableFuture.supplyAsync(() -> sem.waitFor(TimeUnit.SECONDS.toNanos(30)));
        Thread.sleep(100);
        assertEquals(0, sem.post());
        assertTrue(sleeper.get(5, TimeUnit.SECONDS), "a post wakes the sleeper");
        assertEquals(0, sem.value());
    }

    @Test
    void mutualExclusionBetweenThreads() throws Exception {
        NamedSemaphore sem = NamedSemaphore.create(name, 1);
        long[] counter = {0};
        Runnable work = () -> {
            for (int i = 0; i < 200_000; i++) {
                if (!sem.tryWait()) {
                    assertTrue(sem.waitFor(TimeUnit.SECONDS.toNanos(30)));
                }
                counter[0]++;
                sem.post();
            }
        };
        CompletableFuture<Void> a = CompletableFuture.runAsync(work);
        CompletableFuture<Void> b = CompletableFuture.runAsync(work);
        a.get(60, TimeUnit.SECONDS);
        b.get(60, TimeUnit.SECONDS);
        assertEquals(400_000, counter[0]);
        assertEquals(1, sem.value());
    }

    // glibc's own functions on the same name: the layout is theirs.
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SEM_OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("sem_open").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SEM_GETVALUE = glibc("sem_getvalue", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SEM_POST = glibc("sem_post", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SEM_WAIT = glibc("sem_wait", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SEM_CLOSE = glibc("sem_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private static MethodHandle glibc(String function, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(function).orElseThrow(), fd);
    }

    @Test
    void glibcSeesTheSameSemaphore() throws Throwable {
        NamedSemaphore sem = NamedSemaphore.create(name, 3);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = (MemorySegment) SEM_OPEN.invokeExact(arena.allocateFrom(name), 0);
            assertTrue(native_.address() != 0 && native_.address() != -1, "glibc's sem_open");
            MemorySegment value = arena.allocate(JAVA_INT);
            assertEquals(0, (int) SEM_GETVALUE.invokeExact(native_, value));
            assertEquals(3, value.get(JAVA_INT, 0));
            assertTrue(sem.tryWait() && sem.tryWait() && sem.tryWait());
            // glibc's sem_post wakes a sleeper of ours...
            CompletableFuture<Boolean> ours = CompletableFuture.supplyAsync(() -> sem.waitFor(TimeUnit.SECONDS.toNanos(30)));
            Thread.sleep(100);
            assertEquals(0, (int) SEM_POST.invokeExact(native_));
            assertTrue(ours.get(5, TimeUnit.SECONDS));
            // ...and our post wakes glibc's sem_wait.
            CompletableFuture<Integer> theirs = CompletableFuture.supplyAsync(() -> {
                try {
                    return (int) SEM_WAIT.invokeExact(native_);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            });
            Thread.sleep(100);
            assertFalse(theirs.isDone());
            assertEquals(0, sem.post());
            assertEquals(0, theirs.get(5, TimeUnit.SECONDS));
            assertEquals(0, sem.post());
            assertEquals(0, (int) SEM_GETVALUE.invokeExact(native_, value));
            assertEquals(1, value.get(JAVA_INT, 0));
            assertEquals(0, (int) SEM_CLOSE.invokeExact(native_));
        }
    }
}
