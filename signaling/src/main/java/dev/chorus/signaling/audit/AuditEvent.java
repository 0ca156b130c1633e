package dev.chorus.signaling.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One security-relevant event before it is chained: who ({@code actor}: a key id or an identity hash, never the
 * identity or a credential), from where ({@code source}: the peer IP), did what ({@code action}) to what
 * ({@code resource}), with which {@code outcome} and {@code reason} code, and what {@code changes} it made.
 * {@code id}, {@code time}, {@code prev_hash} and {@code hash} are added by {@link AuditLog}.
 *
 * <p>Callers must never put tokens, secrets, passwords or private keys in any field: the types here cannot know,
 * so every producer in this codebase passes ids, hashes and reason codes only.
 */
public record AuditEvent(
        String project,
        String actor,
        String source,
        String action,
        String resource,
        AuditOutcome outcome,
        String reason,
        Map<String, String> changes) {

    /** Longest text kept per field; longer caller-supplied text is cut (the cut is marked). */
    public static final int MAX_FIELD_CHARS = 512;

    public AuditEvent {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        project = bound(project);
        actor = bound(actor);
        source = bound(source);
        resource = bound(resource);
        reason = bound(reason);
        TreeMap<String, String> c = new TreeMap<>();
        if (changes != null) {
            changes.forEach((k, v) -> c.put(bound(k), bound(v)));
        }
        changes = java.util.Collections.unmodifiableMap(c);
    }

    public static AuditEvent success(String project, String actor, String source, String action, String resource,
                                     Map<String, String> changes) {
        return new AuditEvent(project, actor, source, action, resource, AuditOutcome.SUCCESS, null, changes);
    }

    public static AuditEvent refused(String project, String actor, String source, String action, String resource,
                                     String reason) {
        return new AuditEvent(project, actor, source, action, resource, AuditOutcome.REFUSED, reason, Map.of());
    }

    /**
     * The actor id of a participant: a truncated SHA-256 of project and subject, so the audit trail can correlate
     * one identity's events without storing the identity itself.
     */
    public static String identityHash(String project, String subject) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(String.valueOf(project).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(String.valueOf(subject).getBytes(StandardCharsets.UTF_8));
            return "sub:" + HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String bound(String s) {
        if (s == null || s.length() <= MAX_FIELD_CHARS) {
            return s;
        }
        return s.substring(0, MAX_FIELD_CHARS) + "…[cut]";
    }
}
