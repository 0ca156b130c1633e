package dev.chorus.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The data directory and the well-known files in it. Created with mode 0700: it holds keys and the audit trail. */
public final class DataDir {
    public static final String TLS_CERT = "tls/cert.pem";
    public static final String TLS_KEY = "tls/key.pem";

    public static final String LOCK_FILE = "chorus.lock";

    private DataDir() {}

    /**
     * Takes the data dir's exclusive lock: one writer at a time (the audit chain and the store must not be
     * appended to by two processes). Returns null when another process (or this one) holds it.
     */
    public static Lock tryLock(Path dir) throws IOException {
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(LOCK_FILE),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        try {
            java.nio.channels.FileLock l = ch.tryLock();
            if (l != null) return new Lock(ch, l);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // held by this JVM
        }
        ch.close();
        return null;
    }

    /** A held data dir lock. */
    public record Lock(java.nio.channels.FileChannel channel, java.nio.channels.FileLock lock) implements AutoCloseable {
        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException ignored) {
                // released by the OS when the process ends anyway
            }
        }
    }

    /**
     * Removes a data dir a failed first start created (store, audit trail, generated keys and certificates): the
     * next start then begins from nothing instead of from a half-made state. Only ever called on a directory that
     * did not exist before that start.
     */
    static void removeHalfMade(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(DataDir.class).warn(
                    "event=data_dir_cleanup_failed dir={} cause={}", dir, e.toString());
        }
    }

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
