package dev.chorus.signaling.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one project's events back from the audit trail for {@code GET /v1/audit} (scope {@code audit:read}): the
 * last {@code limit} lines whose {@code project} is the caller's, oldest first, as written (hash fields included,
 * so a backend can check them against {@code chorus audit verify}). Deployment-wide events (no project) and other
 * projects' events are never returned. Reads the file sequentially, keeping at most {@code limit} lines.
 */
public final class ProjectAuditReader {
    public static final int MAX_LIMIT = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProjectAuditReader() {}

    public static List<JsonNode> last(Path auditFile, String project, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT);
        ArrayDeque<JsonNode> keep = new ArrayDeque<>(limit);
        try (BufferedReader r = Files.newBufferedReader(auditFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                // cheap pre-filter before parsing: the project id is printable ASCII, written as-is
                if (!line.contains("\"project\":\"" + project + "\"")) continue;
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    continue; // a torn line is cut on the next open; `chorus audit verify` reports it
                }
                if (!project.equals(n.path("project").asText(null))) continue;
                if (keep.size() == limit) keep.removeFirst();
                keep.addLast(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit trail", e);
        }
        return new ArrayList<>(keep);
    }
}
