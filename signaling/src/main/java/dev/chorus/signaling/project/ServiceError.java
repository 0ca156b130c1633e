package dev.chorus.signaling.project;

import java.util.Locale;

/**
 * Stable error codes of the project services, with the HTTP status the API should answer. The code is part of the
 * API contract; messages are for humans and never echo secrets or tokens.
 */
public enum ServiceError {
    /** Unknown resource, or a resource of another project (never distinguished, so nothing leaks across tenants). */
    NOT_FOUND(404),
    INVALID_REQUEST(400),
    TTL_TOO_LONG(400),
    UNKNOWN_SCOPE(400),
    UNKNOWN_ROLE(400),
    SCOPE_NOT_ALLOWED(403),
    /** The project does not allow HS256 join tokens, or the caller's key cannot sign (retiring, asymmetric). */
    SIGNING_NOT_ALLOWED(403),
    /** The caller authenticated with a retiring key: it may finish a rotation's overlap, not manage keys. */
    KEY_RETIRING(403),
    CONFLICT(409),
    LIMIT_EXCEEDED(409),
    ROOM_CLOSED(409);

    private final int httpStatus;

    ServiceError(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
