package polyproc.context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Where the Python package {@code polyproc} (the project's python/ folder) is on disk. GraalPy
 * imports from folders, and the resource tracker is a shell script, so a Java host that has
 * polyproc as a jar (or inside its shaded jar) gets the package copied out of that jar once, into
 * {@code java.io.tmpdir}, under a name that is a checksum of the files: versions never mix, and
 * the children, on the same machine, find the same folder (while it is the user's alone, {@link
 * #extract(ZipFile, Path)}). The {@code polyproc} command has it
 * under {@code polyproc.home}; a build folder ({@code target/classes}) has it as a folder too.
 */
public final class PythonFiles {
    /** Where the build puts python/ among the classes (pom.xml). */
    static final String RESOURCE_DIR = "polyproc-python";

    private static Path directory;

    private PythonFiles() {}

    /** The folder to put on the Python path: it holds the package {@code polyproc}. */
    public static synchronized Path directory() {
        if (directory == null) {
            directory = locate();
        }
        return directory;
    }

    private static Path locate() {
        String home = System.getProperty("polyproc.home");
        if (home != null && Files.isDirectory(Path.of(home, "python", "polyproc"))) {
            return Path.of(home, "python");
        }
        Path codeSource;
        try {
            codeSource = Path.of(PythonFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate polyproc's classes", e);
        }
        if (Files.isDirectory(codeSource)) {
            return codeSource.resolve(RESOURCE_DIR);
        }
        try (ZipFile jar = new ZipFile(codeSource.toFile())) {
            return extract(jar);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy polyproc's Python files out of " + codeSource, e);
        }
    }

    private static Path extract(ZipFile jar) throws IOException {
        return extract(jar, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * The folder under {@code tmp} that holds the jar's Python files, copied out if needed. The
     * shared name is used only while it is this user's and closed to others (a folder someone
     * else made there could hold anyone's code); else this JVM gets a private copy of its own,
     * removed when it exits.
     */
    static Path extract(ZipFile jar, Path tmp) throws IOException {
        String prefix = RESOURCE_DIR + "/";
        CRC32 sum = new CRC32();
        for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
            ZipEntry entry = e.nextElement();
            if (entry.getName().startsWith(prefix)) {
                sum.update(entry.getName().getBytes());
                sum.update(Long.toString(entry.getCrc()).getBytes());
            }
        }
        Path target = tmp.resolve("polyproc-python-" + System.getProperty("user.name", "")
                + "-" + HexFormat.of().toHexDigits((int) sum.getValue()));
        if (isOursAlone(target) && Files.isDirectory(target.resolve("polyproc"))) {
            return target;
        }
        // Copied to a fresh folder first and renamed: a concurrent JVM sees all files or none.
        Path fresh = Files.createTempDirectory(tmp, "polyproc-python-");
        for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
            ZipEntry entry = e.nextElement();
            if (!entry.getName().startsWith(prefix) || entry.isDirectory()) {
                continue;
            }
            Path file = fresh.resolve(entry.getName().substring(prefix.length()));
            Files.createDirectories(file.getParent());
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, file);
            }
        }
        try {
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            // The name is taken: by another JVM of ours that won the race, or by someone else.
        }
        if (isOursAlone(target) && Files.isDirectory(target.resolve("polyproc"))) {
            deleteTree(fresh);
            return target;
        }
        System.err.println("polyproc: " + target + " is not this user's alone; using a private copy of polyproc's Python files, " + fresh);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            try {
                deleteTree(fresh);
            } catch (IOException e) {
                // left in the temporary folder, closed to others
            }
        }));
        return fresh;
    }

    /** Whether {@code folder} is a folder (not a link) of this user that others cannot use. */
    private static boolean isOursAlone(Path folder) {
        try {
            Map<String, Object> a = Files.readAttributes(folder, "unix:uid,mode,isDirectory", LinkOption.NOFOLLOW_LINKS);
            // /proc/self belongs to this process's user.
            return (Boolean) a.get("isDirectory") && a.get("uid").equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                    && ((Integer) a.get("mode") & 077) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
