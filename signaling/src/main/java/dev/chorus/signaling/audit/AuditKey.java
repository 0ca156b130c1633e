package dev.chorus.signaling.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The secret that keys the audit chain ({@code hash = HMAC-SHA256(key, prev_hash || line)}): 256 random bits kept
 * outside the log, by default in {@code audit.key} (mode 0600) next to it. Whoever can rewrite {@code audit.log}
 * but not read this file cannot recompute a valid chain. The operator may copy the key off the host and verify
 * elsewhere ({@code chorus audit verify --key}). Never logged, never in an audit line.
 *
 * <p>File: the key as 64 hex digits, then {@code from <id>}: the first line id written with the key. Lines before
 * it belong to a log that was written before the chain was keyed and may carry the old unkeyed SHA-256 chain.
 *
 * @param keyedFrom the first audit line id chained with this key
 */
public record AuditKey(byte[] key, long keyedFrom) {
    public static final String FILE_NAME = "audit.key";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The key file that belongs to an audit log file. */
    public static Path fileFor(Path auditLog) {
        return auditLog.toAbsolutePath().resolveSibling(FILE_NAME);
    }

    /** Reads the key, creating it (mode 0600) when it does not exist; {@code nextId} is the log's next line id. */
    static AuditKey loadOrCreate(Path keyFile, long nextId) {
        try {
            Optional<AuditKey> existing = read(keyFile);
            if (existing.isPresent()) return existing.get();
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            try {
                Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException raced) {
                return read(keyFile).orElseThrow();
            }
            Files.writeString(keyFile, HexFormat.of().formatHex(key) + "\nfrom " + nextId + "\n",
                    StandardCharsets.US_ASCII);
            try (var ch = java.nio.channels.FileChannel.open(keyFile, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            return new AuditKey(key, nextId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the audit key " + keyFile, e);
        }
    }

    /** The key in {@code keyFile}, or empty when the file does not exist. */
    public static Optional<AuditKey> read(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) return Optional.empty();
        List<String> lines = Files.readAllLines(keyFile, StandardCharsets.US_ASCII);
        if (lines.size() != 2 || !lines.get(0).matches("[0-9a-f]{64}") || !lines.get(1).matches("from [1-9][0-9]{0,18}")) {
            throw new IOException("audit key file " + keyFile + " is not 64 hex digits and a 'from <id>' line");
        }
        return Optional.of(new AuditKey(HexFormat.of().parseHex(lines.get(0)), Long.parseLong(lines.get(1).substring(5))));
    }
}
