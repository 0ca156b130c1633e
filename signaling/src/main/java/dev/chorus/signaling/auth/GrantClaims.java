package dev.chorus.signaling.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.project.Identifiers;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.Scope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The rights-bearing claims of a join token: {@code scope}, {@code role}, {@code grp}, {@code policy},
 * {@code meta}. Shared by the verifier (refusing with {@link TokenRefusedException}) and the issuer (which checks a
 * request with the same rules before signing).
 */
final class GrantClaims {
    static final int MAX_META_BYTES = 1024;
    static final int MAX_GROUPS = 32;
    static final int MAX_SELECTORS = 64;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> POLICY_FIELDS = Set.of("subscribe", "maxTracks", "maxKbps", "e2ee");
    private static final Set<String> SUBSCRIBE_FIELDS = Set.of("allow", "deny");

    private GrantClaims() {
    }

    /** Parses a space-separated scope string; any unknown or empty element refuses. */
    static Set<Scope> scopes(String wire) {
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        if (wire.isEmpty()) {
            return out;
        }
        if (wire.length() > 512) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        for (String part : wire.split(" ", -1)) {
            if (part.isEmpty()) {
                throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
            }
            out.add(Scope.fromWire(part).orElseThrow(() -> new TokenRefusedException(RefusalReason.UNKNOWN_SCOPE)));
        }
        return out;
    }

    /**
     * Effective rights: explicit scopes must all be within the ceiling (else {@code scope_not_allowed}); the role is
     * expanded and then capped by the ceiling; the result must include {@code room:join}.
     */
    static Set<Scope> effectiveRights(Project project, Set<Scope> explicit, String role) {
        if (explicit.isEmpty() && role == null) {
            throw new TokenRefusedException(RefusalReason.MISSING_CLAIM);
        }
        if (!project.scopeCeiling().containsAll(explicit)) {
            throw new TokenRefusedException(RefusalReason.SCOPE_NOT_ALLOWED);
        }
        Set<Scope> rights = EnumSet.noneOf(Scope.class);
        rights.addAll(explicit);
        if (role != null) {
            Set<Scope> roleScopes = project.roles().get(role);
            if (roleScopes == null) {
                throw new TokenRefusedException(RefusalReason.UNKNOWN_ROLE);
            }
            rights.addAll(roleScopes);
        }
        rights.retainAll(project.scopeCeiling());
        if (!rights.contains(Scope.ROOM_JOIN)) {
            throw new TokenRefusedException(RefusalReason.NO_JOIN_SCOPE);
        }
        return rights;
    }

    static List<String> groups(JsonNode grp) {
        if (grp == null || grp.isNull()) {
            return List.of();
        }
        if (!grp.isArray() || grp.size() > MAX_GROUPS) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode g : grp) {
            if (!g.isTextual() || !Identifiers.isGroup(g.textValue())) {
                throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
            }
            out.add(g.textValue());
        }
        return out;
    }

    static List<String> groups(List<String> grp) {
        return groups(MAPPER.valueToTree(grp));
    }

    /** Strict policy: only known fields, bounded lists of {@code grp:…}/{@code sub:…} selectors, sane limits. */
    static PeerPolicy policy(JsonNode node) {
        if (node == null || node.isNull()) {
            return PeerPolicy.UNRESTRICTED;
        }
        if (!(node instanceof ObjectNode o) || !onlyFields(o, POLICY_FIELDS)) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        List<String> allow = List.of();
        List<String> deny = List.of();
        JsonNode sub = o.get("subscribe");
        if (sub != null) {
            if (!(sub instanceof ObjectNode so) || !onlyFields(so, SUBSCRIBE_FIELDS)) {
                throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
            }
            allow = selectors(so.get("allow"));
            deny = selectors(so.get("deny"));
        }
        return PeerPolicy.of(allow, deny, limit(o.get("maxTracks"), 64), limit(o.get("maxKbps"), 1_000_000))
                .withE2eeRequired(e2eeRequired(o.get("e2ee")));
    }

    /** {@code "e2ee": "required"} or {@code "optional"} (the default when absent); anything else is refused. */
    static boolean e2eeRequired(JsonNode e2ee) {
        if (e2ee == null || e2ee.isNull()) return false;
        if (e2ee.isTextual() && e2ee.textValue().equals("required")) return true;
        if (e2ee.isTextual() && e2ee.textValue().equals("optional")) return false;
        throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
    }

    static JsonNode toJson(PeerPolicy p) {
        ObjectNode o = MAPPER.createObjectNode();
        ObjectNode sub = o.putObject("subscribe");
        p.subscribeAllow().forEach(sub.putArray("allow")::add);
        p.subscribeDeny().forEach(sub.putArray("deny")::add);
        if (p.maxTracks() >= 0) {
            o.put("maxTracks", p.maxTracks());
        }
        if (p.maxKbps() >= 0) {
            o.put("maxKbps", p.maxKbps());
        }
        if (p.e2eeRequired()) {
            o.put("e2ee", "required");
        }
        return o;
    }

    /** Compact JSON text of {@code meta}, at most 1 KiB of UTF-8, or null when absent. */
    /**
     * The optional {@code p2p} claim: {@code true} marks a private peer-to-peer room (docs/p2p.md); absent or
     * {@code false} an ordinary SFU room. Anything but a boolean is an invalid claim.
     */
    static boolean p2p(JsonNode p2p) {
        if (p2p == null || p2p.isNull()) {
            return false;
        }
        if (!p2p.isBoolean()) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        return p2p.booleanValue();
    }

    /** The optional {@code name} claim: display text shown to the other participants, or null when absent. */
    static String name(JsonNode name) {
        if (name == null || name.isNull()) {
            return null;
        }
        if (!name.isTextual() || !Identifiers.isDisplayName(name.textValue())) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        return name.textValue();
    }

    static String meta(JsonNode meta) {
        if (meta == null || meta.isNull()) {
            return null;
        }
        try {
            String text = MAPPER.writeValueAsString(meta);
            if (text.getBytes(StandardCharsets.UTF_8).length > MAX_META_BYTES) {
                throw new TokenRefusedException(RefusalReason.META_TOO_LARGE);
            }
            return text;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
    }

    private static List<String> selectors(JsonNode list) {
        if (list == null) {
            return List.of();
        }
        if (!list.isArray() || list.size() > MAX_SELECTORS) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : list) {
            String v = s.isTextual() ? s.textValue() : "";
            boolean ok = (v.startsWith("grp:") && Identifiers.isGroup(v.substring(4)))
                    || (v.startsWith("sub:") && Identifiers.isSubject(v.substring(4)));
            if (!ok) {
                throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
            }
            out.add(v);
        }
        return out;
    }

    private static int limit(JsonNode n, int max) {
        if (n == null) {
            return -1;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0 || n.intValue() > max) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        return n.intValue();
    }

    private static boolean onlyFields(ObjectNode o, Set<String> allowed) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            if (!allowed.contains(it.next())) {
                return false;
            }
        }
        return true;
    }
}
