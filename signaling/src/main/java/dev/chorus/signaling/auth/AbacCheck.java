package dev.chorus.signaling.auth;

import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.common.net.AddressRange;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Attribute-based conditions of a join or refresh (project {@link AccessPolicy} ∩ token {@link AccessConditions}).
 * Pure: the caller passes the source address, the identity's live session count and the time. Returns the first
 * rule that denies, so the audit event can name it.
 */
public final class AbacCheck {
    private AbacCheck() {
    }

    /**
     * @param otherSessions live sessions of this identity not counting the one asking (a refresh does not count
     *                      itself)
     * @return the denying rule, or null if every condition holds
     */
    public static RefusalReason check(AccessPolicy project, AccessConditions token, String sourceIp, int otherSessions,
                                      Instant now) {
        if (!inAny(project.allowedCidrs(), sourceIp) || !inAny(token.cidrs(), sourceIp)) {
            return RefusalReason.ABAC_CIDR;
        }
        int limit = sessionLimit(project, token);
        if (limit > 0 && otherSessions >= limit) {
            return RefusalReason.ABAC_MAX_SESSIONS;
        }
        if ((token.notBefore() != null && now.isBefore(token.notBefore()))
                || (token.notAfter() != null && !now.isBefore(token.notAfter()))) {
            return RefusalReason.ABAC_VALIDITY_WINDOW;
        }
        if (!inHours(project.hoursUtc(), now) || !inHours(token.hoursUtc(), now)) {
            return RefusalReason.ABAC_HOURS;
        }
        return null;
    }

    /** The tighter of the project's and the token's live-session limit per identity; 0 = no limit. */
    public static int sessionLimit(AccessPolicy project, AccessConditions token) {
        return min(project.maxSessionsPerIdentity(), token.maxSessions());
    }

    private static int min(int a, int b) {
        if (a == 0) return b;
        if (b == 0) return a;
        return Math.min(a, b);
    }

    /** An empty list allows every address; otherwise the canonical source must be inside one block. */
    static boolean inAny(List<String> cidrs, String sourceIp) {
        if (cidrs.isEmpty()) return true;
        for (String c : cidrs) {
            AddressRange cidr = AddressRange.tryParse(c);
            if (cidr != null && cidr.contains(sourceIp)) return true;
        }
        return false;
    }

    /** {@code HH:MM-HH:MM} in UTC, end exclusive; a window that wraps midnight (22:00-06:00) is allowed. */
    static boolean inHours(String window, Instant now) {
        if (window == null) return true;
        LocalTime from = LocalTime.parse(window.substring(0, 5));
        LocalTime to = LocalTime.parse(window.substring(6, 11));
        LocalTime t = LocalTime.ofInstant(now, ZoneOffset.UTC);
        if (from.equals(to)) return true;
        return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
    }
}
