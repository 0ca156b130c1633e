package dev.chorus.signaling.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Typed reads of registered claims: absent → {@code missing_claim}, wrong JSON type → {@code invalid_claim}. */
final class Claims {
    /** Seconds since the epoch accepted in time claims (year 1970 .. 9999); larger numbers are invalid. */
    private static final long MAX_EPOCH_SECONDS = 253_402_300_799L;

    private Claims() {
    }

    static String text(ObjectNode payload, String name) {
        JsonNode v = payload.get(name);
        if (v == null || v.isNull()) {
            throw new TokenRefusedException(RefusalReason.MISSING_CLAIM);
        }
        if (!v.isTextual()) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        return v.textValue();
    }

    static String optionalText(ObjectNode payload, String name) {
        JsonNode v = payload.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        return v.textValue();
    }

    /** A NumericDate as whole seconds; fractions, negatives, strings and huge values are invalid. */
    static long seconds(ObjectNode payload, String name) {
        JsonNode v = payload.get(name);
        if (v == null || v.isNull()) {
            throw new TokenRefusedException(RefusalReason.MISSING_CLAIM);
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > MAX_EPOCH_SECONDS) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        return v.longValue();
    }

    static Long optionalSeconds(ObjectNode payload, String name) {
        JsonNode v = payload.get(name);
        return v == null || v.isNull() ? null : seconds(payload, name);
    }
}
