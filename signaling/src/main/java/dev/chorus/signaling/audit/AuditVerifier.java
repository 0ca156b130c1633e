package dev.chorus.signaling.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.signaling.store.AuditHead;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Walks an audit file and reports the first line that breaks the chain. A line is broken when it is not a
 * well-formed audit line, its {@code hash} is not HMAC-SHA256(key, prev_hash || body), its {@code prev_hash} is not
 * the previous line's hash, or its {@code id} is not the previous id + 1. So an edited line fails its own hash (and
 * without the key nobody can recompute it), a deleted or reordered line breaks the link (and the id sequence) of the
 * line after, an inserted line breaks its own link, and a last line without its newline is reported as truncated.
 * With the anchored head ({@link AuditHead}, kept in the store) deleting lines at the end or putting back an older
 * copy is detected too: the log must contain the anchored id with the anchored hash. A line recording an anchor
 * mismatch found at start ({@code audit.anchor_mismatch}) is reported as well: the evidence stays.
 *
 * <p>Lines written before the chain was keyed (plain SHA-256) are accepted only below the key's {@code from} id
 * ({@link AuditKey#keyedFrom()}).
 */
public final class AuditVerifier {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private AuditVerifier() {
    }

    /** With the key next to the file ({@link AuditKey#fileFor}) and no anchor. */
    public static AuditVerification verify(Path file) throws IOException {
        return verify(file, AuditKey.read(AuditKey.fileFor(file)).orElse(null), null);
    }

    /** The chain under {@code key}; with {@code key} null only an unkeyed (pre-key) log verifies. */
    public static AuditVerification verify(Path file, AuditKey key, AuditHead anchor) throws IOException {
        return key == null ? verify(file, null, Long.MAX_VALUE, anchor) : verify(file, key.key(), key.keyedFrom(), anchor);
    }

    /**
     * @param key       the chain key, or null if unavailable (keyed lines then fail)
     * @param keyedFrom lines with this id and later must be keyed; earlier ones may carry the unkeyed chain
     * @param anchor    the head anchored outside the file, or null to check the chain alone
     */
    private static AuditVerification verify(Path file, byte[] key, long keyedFrom, AuditHead anchor)
            throws IOException {
        long size = Files.size(file);
        boolean endsWithNewline = size == 0 || endsWithNewline(file, size);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = Files.newInputStream(file);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder))) {
            Chain chain = new Chain(key, keyedFrom);
            String hashAtAnchor = null;
            long n = 0;
            String line = r.readLine();
            while (line != null) {
                n++;
                String next = r.readLine();
                if (next == null && !endsWithNewline) {
                    return AuditVerification.broken(n, n, "truncated last line");
                }
                String problem = chain.check(line);
                if (problem != null) {
                    return AuditVerification.broken(n, n, problem);
                }
                if (AuditAction.AUDIT_ANCHOR_MISMATCH.equals(chain.lastAction)) {
                    return AuditVerification.broken(n, n, "the server found this log cut, rolled back or replaced"
                            + " when it started (audit.anchor_mismatch)");
                }
                if (anchor != null && chain.prevId == anchor.lastId()) hashAtAnchor = chain.prevHash;
                line = next;
            }
            if (anchor != null) {
                if (chain.prevId < anchor.lastId()) {
                    return AuditVerification.broken(n, n + 1, "the log ends at id " + chain.prevId
                            + " but the anchored head is id " + anchor.lastId()
                            + " (lines deleted at the end, or an older copy of the file)");
                }
                if (!anchor.lastHash().equals(hashAtAnchor)) {
                    return AuditVerification.broken(n, anchor.lastId(), "line with id " + anchor.lastId()
                            + " differs from the anchored head (file rewritten or rolled back)");
                }
            }
            return AuditVerification.ok(n, chain.prevHash);
        } catch (java.nio.charset.CharacterCodingException e) {
            return AuditVerification.broken(0, -1, "not UTF-8");
        }
    }

    private static boolean endsWithNewline(Path file, long size) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            var b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, size - 1);
            return b.get(0) == '\n';
        }
    }

    /** The running state of a walk: the previous line's hash and id, and whether keyed lines have started. */
    private static final class Chain {
        private final byte[] key;
        private final long keyedFrom;
        String prevHash = AuditJson.GENESIS_HASH;
        long prevId;
        String lastAction;

        Chain(byte[] key, long keyedFrom) {
            this.key = key;
            this.keyedFrom = keyedFrom;
        }

        /** Returns null when the line fits the chain (and advances it), else what is wrong with it. */
        String check(String line) {
            if (line.length() > AuditLog.MAX_LINE_BYTES || line.length() < AuditJson.HASH_SUFFIX_LENGTH + 2) {
                return "not an audit line";
            }
            JsonNode node;
            try {
                node = AuditJson.MAPPER.readTree(line);
            } catch (IOException e) {
                return "not valid JSON";
            }
            if (node == null || !node.isObject() || !node.path("id").canConvertToLong()
                    || !node.path("hash").isTextual() || !node.path("prev_hash").isTextual()) {
                return "missing id, hash or prev_hash";
            }
            String hash = node.get("hash").asText();
            String expectedSuffix = ",\"hash\":\"" + hash + "\"}";
            if (!HASH.matcher(hash).matches() || !line.endsWith(expectedSuffix)) {
                return "hash field malformed or not last";
            }
            String body = line.substring(0, line.length() - expectedSuffix.length()) + "}";
            String prev = node.get("prev_hash").asText();
            long id = node.get("id").asLong();
            boolean keyed = key != null && AuditHashing.chain(key, prev, body).equals(hash);
            boolean legacyAllowed = id < keyedFrom;
            if (!keyed && (!legacyAllowed || !AuditHashing.legacy(prev, body).equals(hash))) {
                return key == null ? "hash does not match content (line edited, or the audit key is missing)"
                        : "hash does not match content (line edited, or not written with this audit key)";
            }
            if (!prev.equals(prevHash)) {
                return "prev_hash does not match previous line (line deleted, inserted or reordered)";
            }
            if (id != prevId + 1) {
                return "id out of sequence (line deleted, inserted or reordered)";
            }
            prevHash = hash;
            prevId = id;
            lastAction = node.path("action").asText(null);
            return null;
        }
    }
}
