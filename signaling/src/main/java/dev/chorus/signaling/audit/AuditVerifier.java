package dev.chorus.signaling.audit;

import com.fasterxml.jackson.databind.JsonNode;
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
 * well-formed audit line, its {@code hash} is not SHA-256(prev_hash || body), its {@code prev_hash} is not the
 * previous line's hash, or its {@code id} is not the previous id + 1. So an edited line fails its own hash, a
 * deleted or reordered line breaks the link (and the id sequence) of the line after, an inserted line breaks its own
 * link, and a last line without its newline is reported as truncated. Deleting lines at the very end leaves a valid
 * shorter chain: compare {@link AuditVerification#headHash()} with an anchored head ({@link AuditLog#lastHash()})
 * to detect that.
 */
public final class AuditVerifier {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private AuditVerifier() {
    }

    public static AuditVerification verify(Path file) throws IOException {
        long size = Files.size(file);
        boolean endsWithNewline = size == 0 || endsWithNewline(file, size);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = Files.newInputStream(file);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder))) {
            String prevHash = AuditJson.GENESIS_HASH;
            long prevId = 0;
            long n = 0;
            String line = r.readLine();
            while (line != null) {
                n++;
                String next = r.readLine();
                if (next == null && !endsWithNewline) {
                    return AuditVerification.broken(n, n, "truncated last line");
                }
                String problem = check(line, prevHash, prevId);
                if (problem != null) {
                    return AuditVerification.broken(n, n, problem);
                }
                JsonNode node = AuditJson.MAPPER.readTree(line);
                prevHash = node.get("hash").asText();
                prevId = node.get("id").asLong();
                line = next;
            }
            return AuditVerification.ok(n, prevHash);
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

    /** Returns null when the line fits the chain, else what is wrong with it. */
    static String check(String line, String prevHash, long prevId) {
        if (line.length() > AuditLog.MAX_LINE_BYTES || line.length() < AuditJson.HASH_SUFFIX_LENGTH + 2) {
            return "not an audit line";
        }
        JsonNode node;
        try {
            node = AuditJson.MAPPER.readTree(line);
        } catch (IOException e) {
            return "not valid JSON";
        }
        if (node == null || !node.isObject() || !node.path("id").canConvertToLong() || !node.path("hash").isTextual()
                || !node.path("prev_hash").isTextual()) {
            return "missing id, hash or prev_hash";
        }
        String hash = node.get("hash").asText();
        String expectedSuffix = ",\"hash\":\"" + hash + "\"}";
        if (!HASH.matcher(hash).matches() || !line.endsWith(expectedSuffix)) {
            return "hash field malformed or not last";
        }
        String body = line.substring(0, line.length() - expectedSuffix.length()) + "}";
        if (!AuditHashing.chain(node.get("prev_hash").asText(), body).equals(hash)) {
            return "hash does not match content (line edited)";
        }
        if (!node.get("prev_hash").asText().equals(prevHash)) {
            return "prev_hash does not match previous line (line deleted, inserted or reordered)";
        }
        if (node.get("id").asLong() != prevId + 1) {
            return "id out of sequence (line deleted, inserted or reordered)";
        }
        return null;
    }
}
