package dev.chorus.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The data directory and the well-known files in it. Created with mode 0700: it holds keys and the audit trail. */
public final class DataDir {
    public static final String TLS_CERT = "tls/cert.pem";
    public static final String TLS_KEY = "tls/key.pem";

    private DataDir() {}

    public static Path prepare(String configured) throws IOException {
        Path dir = Path.of(configured).toAbsolutePath().normalize();
        if (!Files.exists(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IOException("data directory " + dir + " is not a writable directory");
        }
        return dir;
    }
}
