package polyproc.supervise;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import polyproc.internal.posix.Io;
import polyproc.internal.posix.Poll;

/**
 * The one thread that watches every child of this JVM: each child's pidfd (to reap it the moment
 * it ends), the pipes that carry a Java host's children's output to its streams, and the writes
 * to a child's bootstrap socket that did not fit at once. One {@code poll(2)} over all of them, as
 * the JDK's process reaper and NuProcess's event loop do, instead of several threads per child:
 * a program with 20 children alive holds the same polyproc threads as one with a single child.
 *
 * <p>A {@link Watch} runs on this thread, so it must not block: it reads what poll said is there,
 * writes without waiting (MSG_DONTWAIT), and hands results to futures. The exception is the
 * output copy, which writes to the host's stream as the host's own threads would.
 */
public final class Supervisor {
    /** Something to do when a descriptor is ready. */
    public interface Watch {
        int fd();

        /** POLLIN, POLLOUT; hang-up and errors are reported whatever this says. */
        short events();

        /** Handles {@code revents}; false when this watch is done (its descriptor may be closed after). */
        boolean ready(short revents);
    }

    private static final Supervisor INSTANCE = new Supervisor();

    private final List<Watch> added = new ArrayList<>(); // guarded by this
    private final int[] wakeup = Io.pipe();

    private Supervisor() {
        Thread.ofPlatform().daemon().name("polyproc-supervisor").stackSize(256 * 1024).start(this::loop);
    }

    /** Starts watching; {@code watch.ready} runs on the supervisor thread from now on. */
    public static void watch(Watch watch) {
        INSTANCE.add(watch);
    }

    /**
     * Hands each chunk read from {@code fd} to {@code eachChunk} until every writer has gone, then
     * closes it and runs {@code atEnd} (both on the supervisor's thread).
     */
    public static void read(int fd, Consumer<byte[]> eachChunk, Runnable atEnd) {
        watch(new Watch() {
            @Override
            public int fd() {
                return fd;
            }

            @Override
            public short events() {
                return Poll.POLLIN;
            }

            @Override
            public boolean ready(short revents) {
                byte[] chunk = Io.readSome(fd, 64 * 1024); // poll said it will not block
                if (chunk.length > 0) {
                    eachChunk.accept(chunk);
                    return true;
                }
                Io.close(fd);
                atEnd.run();
                return false;
            }
        });
    }

    /** Reads {@code fd} until every writer has gone, then hands all it read to {@code whenDone}. */
    public static void readToEnd(int fd, Consumer<byte[]> whenDone) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        read(fd, data::writeBytes, () -> whenDone.accept(data.toByteArray()));
    }

    private void add(Watch watch) {
        synchronized (this) {
            added.add(watch);
        }
        Io.writeFully(wakeup[1], new byte[] {1});
    }

    private void loop() {
        List<Watch> watches = new ArrayList<>();
        Arena arena = Arena.ofAuto();
        MemorySegment pollfds = MemorySegment.NULL;
        int capacity = 0;
        while (true) {
            synchronized (this) {
                watches.addAll(added);
                added.clear();
            }
            int count = watches.size() + 1;
            if (count > capacity) {
                capacity = Math.max(count, 2 * capacity);
                pollfds = arena.allocate(Poll.POLLFD, capacity);
            }
            set(pollfds, 0, wakeup[0], Poll.POLLIN);
            for (int i = 0; i < watches.size(); i++) {
                set(pollfds, i + 1, watches.get(i).fd(), watches.get(i).events());
            }
            if (Poll.poll(pollfds, count, -1) == 0) {
                continue;
            }
            if (revents(pollfds, 0) != 0) {
                Io.readSome(wakeup[0], 512);
            }
            List<Watch> done = new ArrayList<>();
            for (int i = 0; i < watches.size(); i++) {
                short revents = revents(pollfds, i + 1);
                if (revents != 0 && !run(watches.get(i), revents)) {
                    done.add(watches.get(i));
                }
            }
            watches.removeAll(done);
        }
    }

    private static boolean run(Watch watch, short revents) {
        try {
            return watch.ready(revents);
        } catch (RuntimeException | Error e) {
            // One child's trouble must not stop the watch over the others.
            System.err.println("polyproc: supervisor: " + e);
            return false;
        }
    }

    private static void set(MemorySegment pollfds, int index, int fd, short events) {
        Poll.POLLFD_FD.set(pollfds, 0L, (long) index, fd);
        Poll.POLLFD_EVENTS.set(pollfds, 0L, (long) index, events);
        Poll.POLLFD_REVENTS.set(pollfds, 0L, (long) index, (short) 0);
    }

    private static short revents(MemorySegment pollfds, int index) {
        return (short) Poll.POLLFD_REVENTS.get(pollfds, 0L, (long) index);
    }
}
