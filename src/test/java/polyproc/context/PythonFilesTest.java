package polyproc.context;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PythonFilesTest {
    private static Path jar(Path dir, String init) throws IOException {
        Path jar = dir.resolve("polyproc.jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(PythonFiles.RESOURCE_DIR + "/polyproc/__init__.py"));
            zip.write(init.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }

    /** Copied out once, to a folder closed to others; found again by the next JVM. */
    @Test
    void copiesTheFilesOutOnceIntoAPrivateFolder(@TempDir Path dir) throws IOException {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        try (ZipFile jar = new ZipFile(jar(dir, "ours = 1\n").toFile())) {
            Path first = PythonFiles.extract(jar, tmp);
            assertEquals("ours = 1\n", Files.readString(first.resolve("polyproc/__init__.py")));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
            assertEquals(first, PythonFiles.extract(jar, tmp));
        }
    }

    /** A folder of that name open to others (someone else's code could be in it) is not used. */
    @Test
    void aFolderOpenToOthersIsNotUsed(@TempDir Path dir) throws IOException {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        try (ZipFile jar = new ZipFile(jar(dir, "ours = 1\n").toFile())) {
            Path shared = PythonFiles.extract(jar, tmp);
            Files.writeString(shared.resolve("polyproc/__init__.py"), "planted = 1\n");
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path used = PythonFiles.extract(jar, tmp);
            assertNotEquals(shared, used);
            assertEquals("ours = 1\n", Files.readString(used.resolve("polyproc/__init__.py")));
            assertTrue(Files.getPosixFilePermissions(used).equals(PosixFilePermissions.fromString("rwx------")));
        }
    }
}
