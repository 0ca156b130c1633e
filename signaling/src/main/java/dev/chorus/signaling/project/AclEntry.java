package dev.chorus.signaling.project;

import java.time.Instant;
import java.util.Objects;

/**
 * One durable ACL decision of a project (TOKENS.md "Live authorization"): may {@code subscriber} receive
 * {@code publisher}'s media? A grant ({@link Effect#ALLOW}) lets a subscriber see tracks its token policy does not
 * name; a revocation ({@link Effect#DENY}) takes a grant away and also overrides a token policy's allow, until a
 * later grant replaces it. Identities are the tokens' {@code sub} values, compared exactly.
 *
 * @param kind    {@code audio}, {@code video} or {@code screen}; empty = every kind
 * @param trackId a publisher's track id (the SFU's mid); empty = every track
 */
public record AclEntry(String projectId, String subscriber, String publisher, String kind, String trackId,
                       Effect effect, Instant at) {
    public enum Effect {
        ALLOW, DENY;

        public String wire() {
            return this == ALLOW ? "allow" : "deny";
        }
    }

    public static final java.util.Set<String> KINDS = java.util.Set.of("audio", "video", "screen");

    public AclEntry {
        Objects.requireNonNull(projectId);
        Objects.requireNonNull(subscriber);
        Objects.requireNonNull(publisher);
        kind = kind == null ? "" : kind;
        trackId = trackId == null ? "" : trackId;
        Objects.requireNonNull(effect);
        Objects.requireNonNull(at);
    }

    /** True if this entry speaks about {@code publisher}'s track {@code trackId} of {@code trackKind}. */
    public boolean covers(String publisherIdentity, String trackKind, String track) {
        return publisher.equals(publisherIdentity) && (kind.isEmpty() || kind.equals(trackKind))
                && (trackId.isEmpty() || trackId.equals(track));
    }

    /** How specific the entry is (track beats kind beats publisher), so the most specific one decides. */
    int specificity() {
        return (trackId.isEmpty() ? 0 : 2) + (kind.isEmpty() ? 0 : 1);
    }
}
