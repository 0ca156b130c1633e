package dev.chorus.signaling.auth;

import java.util.Locale;

/**
 * Why a token or a backend credential was refused. The code goes to the audit trail and the
 * {@code chorus.joins.refused} metric; the caller only ever sees a generic message.
 */
public enum RefusalReason {
    // parsing (before anything is looked up)
    TOO_LARGE,
    MALFORMED,
    BAD_TYPE,
    FORBIDDEN_HEADER,
    // key lookup and signature
    UNKNOWN_KID,
    ALG_MISMATCH,
    BAD_SIGNATURE,
    // claims
    MISSING_CLAIM,
    INVALID_CLAIM,
    EXPIRED,
    NOT_YET_VALID,
    TTL_TOO_LONG,
    BAD_AUDIENCE,
    BAD_ISSUER,
    WRONG_ROOM,
    UNKNOWN_SCOPE,
    SCOPE_NOT_ALLOWED,
    UNKNOWN_ROLE,
    /** After role expansion and the project ceiling nothing grants {@code room:join}. */
    NO_JOIN_SCOPE,
    META_TOO_LARGE,
    // live state
    KEY_REVOKED,
    /** A retiring key may verify join tokens but not authenticate new minting; used for backend credentials. */
    KEY_RETIRING,
    TOKEN_REVOKED,
    SUBJECT_REVOKED,
    UNKNOWN_ROOM,
    ROOM_CLOSED,
    /** The room would be auto-created but the project already has its maximum number of open rooms. */
    ROOM_LIMIT,
    // attribute-based conditions (AccessPolicy of the project, cond claim of the token), at join and refresh
    ABAC_CIDR,
    ABAC_MAX_SESSIONS,
    ABAC_VALIDITY_WINDOW,
    ABAC_HOURS,
    /** Identity looks like an e-mail address or phone number (production; the project did not opt out). */
    PII_IDENTITY,
    /** {@code meta} contains something that looks like an e-mail address or phone number. */
    PII_META,
    /** The {@code name} claim looks like an e-mail address or phone number (a display name, not a contact). */
    PII_NAME,
    /** The token (its {@code jti}) already holds a live session: one live session per token. */
    TOKEN_IN_USE,
    /** A refresh token for another identity, room or project than the session's. */
    REFRESH_MISMATCH,
    // backend API credentials
    MISSING_CREDENTIALS,
    BAD_CREDENTIALS,
    THROTTLED;

    /** Stable lower-case code, e.g. {@code alg_mismatch}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
