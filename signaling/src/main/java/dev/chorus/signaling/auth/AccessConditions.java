package dev.chorus.signaling.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.common.net.AddressRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The optional {@code cond} claim of a join token: attribute-based conditions checked at join and at every refresh
 * on top of the project's {@code AccessPolicy}. Parsed strictly: unknown fields, wrong types or malformed values
 * refuse the token ({@code invalid_claim}).
 * <pre>{"cidr":["203.0.113.0/24"],"maxSessions":1,"notBefore":1767261600,"notAfter":1767290400,"hours":"08:00-18:00"}</pre>
 *
 * @param cidrs       client source address must be inside one of them (canonical text; empty = anywhere)
 * @param maxSessions live sessions of this identity at most (0 = no limit from the token)
 * @param notBefore   joins/refreshes refused before this instant (null = none)
 * @param notAfter    joins/refreshes refused from this instant on (null = none)
 * @param hoursUtc    daily window {@code HH:MM-HH:MM} in UTC (null = any time)
 */
public record AccessConditions(List<String> cidrs, int maxSessions, Instant notBefore, Instant notAfter,
                               String hoursUtc) {
    public static final AccessConditions NONE = new AccessConditions(List.of(), 0, null, null, null);
    private static final Set<String> FIELDS = Set.of("cidr", "maxSessions", "notBefore", "notAfter", "hours");
    static final Pattern HOURS = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]");

    public AccessConditions {
        cidrs = List.copyOf(cidrs);
    }

    static AccessConditions parse(JsonNode node) {
        if (node == null || node.isNull()) return NONE;
        if (!(node instanceof ObjectNode o)) throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            if (!FIELDS.contains(it.next())) throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        List<String> cidrs = new ArrayList<>();
        JsonNode c = o.get("cidr");
        if (c != null) {
            if (!c.isArray() || c.size() > 32) throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
            for (JsonNode e : c) {
                AddressRange parsed = e.isTextual() ? AddressRange.tryParse(e.textValue()) : null;
                if (parsed == null) throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
                cidrs.add(parsed.toString());
            }
        }
        int max = 0;
        JsonNode m = o.get("maxSessions");
        if (m != null) {
            if (!m.isIntegralNumber() || !m.canConvertToInt() || m.intValue() < 1 || m.intValue() > 10_000) {
                throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
            }
            max = m.intValue();
        }
        Long nbf = Claims.optionalSeconds(o, "notBefore");
        Long naf = Claims.optionalSeconds(o, "notAfter");
        String hours = Claims.optionalText(o, "hours");
        if (hours != null && !HOURS.matcher(hours).matches()) throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        return new AccessConditions(cidrs, max, nbf == null ? null : Instant.ofEpochSecond(nbf),
                naf == null ? null : Instant.ofEpochSecond(naf), hours);
    }
}
