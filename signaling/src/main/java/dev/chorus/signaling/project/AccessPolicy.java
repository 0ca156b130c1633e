package dev.chorus.signaling.project;

import java.util.List;
import java.util.Objects;

/**
 * Per-project attribute-based conditions and modes, checked at join and at every refresh (docs/live-authorization.md).
 *
 * @param aclMode          true (default): a participant's tracks are visible only to identities the token policy or
 *                         an ACL grant allows; false: anyone with {@code media:subscribe} (dev mode only)
 * @param allowedCidrs     client source addresses must be inside one of these (empty = anywhere); canonical text
 * @param maxSessionsPerIdentity live sessions one identity may hold on this node (0 = no limit)
 * @param hoursUtc         daily window {@code HH:MM-HH:MM} (UTC) in which joins and refreshes are allowed, or null
 * @param allowPiiIdentities opt-out of the PII guard: identities/metadata that look like e-mail addresses or phone
 *                         numbers are accepted (documented; off by default)
 * @param replaceSameTokenSession one live session per token (jti): false (default) refuses a second join with the
 *                         same token while the first session lives; true closes the older session (4004
 *                         {@code replaced}) and admits the new one (a client that reconnects before noticing the drop)
 */
public record AccessPolicy(boolean aclMode, List<String> allowedCidrs, int maxSessionsPerIdentity, String hoursUtc,
                           boolean allowPiiIdentities, boolean replaceSameTokenSession) {
    public static final AccessPolicy DEFAULT = new AccessPolicy(true, List.of(), 0, null, false, false);

    /**
     * Without {@code replaceSameTokenSession} (false: a second join with a token that already holds a live session
     * is refused; true: it replaces that session, which is closed with 4004 {@code replaced}).
     */
    public AccessPolicy(boolean aclMode, List<String> allowedCidrs, int maxSessionsPerIdentity, String hoursUtc,
                        boolean allowPiiIdentities) {
        this(aclMode, allowedCidrs, maxSessionsPerIdentity, hoursUtc, allowPiiIdentities, false);
    }
    public static final int MAX_CIDRS = 64;

    public AccessPolicy {
        allowedCidrs = List.copyOf(Objects.requireNonNull(allowedCidrs));
        if (allowedCidrs.size() > MAX_CIDRS) throw new IllegalArgumentException("too many CIDRs");
        if (maxSessionsPerIdentity < 0 || maxSessionsPerIdentity > 10_000) {
            throw new IllegalArgumentException("maxSessionsPerIdentity");
        }
    }
}
