package dev.chorus.signaling.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Request bodies of the backend API, read strictly (unknown fields are a 400). Described in docs/openapi.yaml.
 */
final class ApiBodies {
    private ApiBodies() {}

    /** {@code POST /v1/tokens}. */
    record Mint(String room, String identity, List<String> scopes, String role, List<String> groups, Policy policy,
                JsonNode meta, Long ttlSeconds, JsonNode cond, String name, Boolean p2p) {}

    record Policy(Subscribe subscribe, Integer maxTracks, Integer maxKbps, String e2ee) {}

    record Subscribe(List<String> allow, List<String> deny) {}

    /** {@code POST /v1/keys}. */
    record CreateKey(String algorithm, String publicKeyPem, List<String> scopes) {}

    /** {@code POST /v1/admin/projects} ({@code id} required) and {@code PATCH /v1/admin/projects/{project}}. */
    record ProjectBody(String id, String name, List<String> scopeCeiling, Long maxTokenTtlSeconds, Boolean aclMode,
                       Boolean allowPiiIdentities, Integer maxRooms, Integer maxParticipantsPerRoom,
                       Boolean hs256JoinTokens, Boolean autoCreateRooms) {}

    /** {@code POST /v1/keys/{kid}/rotate} (body optional). */
    record RotateKey(String publicKeyPem) {}

    /** {@code POST /v1/rooms}. */
    record CreateRoom(String room) {}

    /** {@code POST /v1/revocations/tokens}. */
    record RevokeToken(String jti) {}

    /** {@code POST /v1/revocations/subjects}. */
    record RevokeSubject(String subject) {}

    /** {@code POST /v1/acl/grants} and {@code POST /v1/acl/revocations}. */
    record Acl(String subscriber, String publisher, String kind, String trackId) {}

    /** {@code POST /v1/rooms/{room}/permissions}: scopes to take away from / restore to the identity. */
    record Permissions(String identity, List<String> revoke, List<String> restore) {}

    /** {@code POST /v1/access-policy}. */
    record AccessPolicyBody(Boolean aclMode, List<String> allowedCidrs, Integer maxSessionsPerIdentity,
                            String hoursUtc, Boolean allowPiiIdentities, Boolean replaceSameTokenSession) {}

    /** Bodies of action endpoints (retire, revoke, close): none, or an empty object. */
    record Empty() {}

    /** {@code POST /v1/webhooks}: where to send events, and which (all when absent or empty). */
    record CreateWebhook(String url, List<String> events) {}
}
