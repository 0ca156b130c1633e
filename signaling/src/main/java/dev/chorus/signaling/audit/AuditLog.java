package dev.chorus.signaling.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import dev.chorus.signaling.store.AuditHead;

/**
 * Append-only, hash-chained audit trail: one JSON line per event (see {@link AuditJson} for the exact form).
 * {@link #append} returns only after the line is forced to disk, so an event the caller saw succeed survives a
 * crash. On open the chain continues from the last complete line; a torn last line (a crash mid-write, never
 * acknowledged) is cut off and the cut itself is recorded as an {@code audit.recovered} event.
 *
 * <p>Thread-safe; appends are serialised (the chain is a sequence by definition). The file is created with mode
 * 0600.
 */
public final class AuditLog implements AutoCloseable {
    /** Longest line we ever write; {@link AuditEvent} bounds each field so this holds. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditLog.class);

    private final Path file;
    private final Clock clock;
    private final FileChannel channel;
    private final byte[] key;
    private final AuditAnchor anchor;
    private long lastId;
    private String lastHash;
    private final java.util.List<java.util.function.Consumer<AuditEvent>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private AuditLog(Path file, Clock clock, FileChannel channel, byte[] key, AuditAnchor anchor, long lastId,
                     String lastHash) {
        this.file = file;
        this.clock = clock;
        this.channel = channel;
        this.key = key;
        this.anchor = anchor;
        this.lastId = lastId;
        this.lastHash = lastHash;
    }

    /** A keyed log (key in {@link AuditKey#fileFor}) without an outside anchor. */
    public static AuditLog open(Path file, Clock clock) {
        return open(file, clock, AuditAnchor.NONE);
    }

    /**
     * Opens (or creates) the log keyed by {@link AuditKey#fileFor}({@code file}) and anchored in {@code anchor}.
     * If the log ends before the anchored head, or its line at the anchored id differs, the log was cut or rolled
     * back while the server was down: an {@code audit.anchor_mismatch} event records it (and {@code chorus audit
     * verify} reports that line from then on) and the error is logged once.
     */
    public static AuditLog open(Path file, Clock clock, AuditAnchor anchor) {
        try {
            createPrivate(file);
            Tail tail = readTail(file);
            byte[] key = AuditKey.loadOrCreate(AuditKey.fileFor(file), tail.lastId + 1).key();
            FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
            if (tail.tornBytes > 0) {
                ch.truncate(tail.completeLength);
                ch.force(true);
            }
            ch.position(ch.size());
            AuditLog audit = new AuditLog(file, clock, ch, key, anchor, tail.lastId, tail.lastHash);
            if (tail.tornBytes > 0) {
                audit.append(AuditEvent.success(null, "chorus", null, AuditAction.AUDIT_RECOVERED, "audit",
                        Map.of("discarded_bytes", Long.toString(tail.tornBytes))));
            }
            AuditHead head = anchor.head().orElse(null);
            if (head != null && (tail.lastId < head.lastId()
                    || (tail.lastId == head.lastId() && !tail.lastHash.equals(head.lastHash())))) {
                log.error("event=audit_anchor_mismatch anchored_id={} log_last_id={} (audit.log was cut, rolled back"
                        + " or replaced while the server was down)", head.lastId(), tail.lastId);
                audit.append(new AuditEvent(null, "chorus", null, AuditAction.AUDIT_ANCHOR_MISMATCH, "audit",
                        AuditOutcome.ERROR, "anchor_mismatch", Map.of("anchored_id", Long.toString(head.lastId()),
                        "log_last_id", Long.toString(tail.lastId))));
            }
            return audit;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open audit log", e);
        }
    }

    /** Chains, writes and forces one event. Returns the id it was given. */
    public synchronized long append(AuditEvent event) {
        long id = lastId + 1;
        Instant now = clock.instant();
        String body = AuditJson.body(id, now, event, lastHash);
        String hash = AuditHashing.chain(key, lastHash, body);
        byte[] bytes = (AuditJson.line(body, hash) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("audit append failed", e);
        }
        lastId = id;
        lastHash = hash;
        anchor.advance(new AuditHead(id, hash)); // after the force: the log is never behind its anchor
        for (java.util.function.Consumer<AuditEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) { // a listener never undoes or blocks an audited action
                org.slf4j.LoggerFactory.getLogger(AuditLog.class).warn("audit listener failed: {}", e.toString());
            }
        }
        return id;
    }

    /**
     * Calls {@code listener} with every event after it is on disk (in chain order, under the append lock, so it
     * must only hand the event on, never block).
     */
    public void onAppend(java.util.function.Consumer<AuditEvent> listener) {
        listeners.add(listener);
    }

    public synchronized long lastId() {
        return lastId;
    }

    /** The head of the chain; anchoring it elsewhere (e.g. printing it) lets a later verify detect tail deletion. */
    public synchronized String lastHash() {
        return lastHash;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createPrivate(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            syncDirectory(dir);
        } catch (FileAlreadyExistsException ignored) {
            // continue the existing chain
        }
    }

    /** Makes the new file's directory entry durable too (Linux allows fsync on a directory opened read-only). */
    private static void syncDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform; the file's own content is still forced on every append
        }
    }

    private record Tail(long completeLength, long tornBytes, long lastId, String lastHash) {
    }

    /** Finds the last complete line without reading the whole file (lines are bounded by MAX_LINE_BYTES). */
    private static Tail readTail(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return new Tail(0, 0, 0, AuditJson.GENESIS_HASH);
            }
            int window = (int) Math.min(size, 2L * MAX_LINE_BYTES + 2);
            ByteBuffer buf = ByteBuffer.allocate(window);
            ch.read(buf, size - window);
            byte[] b = buf.array();
            int end = window;
            // cut a torn (newline-less) tail
            int lastNl = lastIndexOf(b, end - 1);
            long tornBytes = window - 1 - lastNl;
            if (lastNl < 0) {
                if (size > window) {
                    throw new IOException("audit log tail is corrupt (no line end in the last 128 KiB)");
                }
                return new Tail(0, size, 0, AuditJson.GENESIS_HASH);
            }
            int prevNl = lastIndexOf(b, lastNl - 1);
            if (prevNl < 0 && size > window) {
                throw new IOException("audit log tail is corrupt (line too long)");
            }
            String line = new String(b, prevNl + 1, lastNl - prevNl - 1, StandardCharsets.UTF_8);
            JsonNode node = AuditJson.MAPPER.readTree(line);
            return new Tail(size - tornBytes, tornBytes, node.path("id").asLong(), node.path("hash").asText());
        }
    }

    private static int lastIndexOf(byte[] b, int from) {
        for (int i = from; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
