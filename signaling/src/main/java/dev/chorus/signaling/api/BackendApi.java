package dev.chorus.signaling.api;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditOutcome;
import dev.chorus.signaling.audit.ProjectAuditReader;
import dev.chorus.signaling.auth.BackendAuthException;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.auth.MintRequest;
import dev.chorus.signaling.auth.MintedToken;
import dev.chorus.signaling.auth.PeerPolicy;
import dev.chorus.signaling.auth.RefusalReason;
import dev.chorus.signaling.http.ApiError;
import dev.chorus.signaling.http.HttpRequestContext;
import dev.chorus.signaling.http.HttpResult;
import dev.chorus.signaling.http.RouteHandler;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.AclEntry;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.CreatedKey;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.KeyInfo;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ServiceException;
import dev.chorus.signaling.ws.ParticipantRegistry;
import dev.chorus.signaling.ws.ParticipantSession;
import dev.chorus.signaling.ws.WsCloseCodes;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HTTP API v1 for app backends. Every route authenticates the caller first (Basic API key or Bearer backend JWT)
 * and acts only inside the caller's project; the services answer "not found" for another project's resources.
 * Bodies are read only after authentication, so an anonymous client cannot make the server parse anything.
 */
public final class BackendApi {
    private final ControlPlane control;
    private final ParticipantRegistry sessions;

    private BackendApi(ControlPlane control, ParticipantRegistry sessions) {
        this.control = control;
        this.sessions = sessions;
    }

    /** The handler of an authenticated route. */
    @FunctionalInterface
    interface AuthedHandler {
        HttpResult handle(BackendPrincipal caller, HttpRequestContext req);
    }

    public static void register(Router router, ControlPlane control, ParticipantRegistry sessions) {
        BackendApi api = new BackendApi(control, sessions);
        api.route(router, "POST", "/v1/tokens", ApiScope.TOKENS_MINT, api::mintToken);
        api.route(router, "GET", "/v1/keys", ApiScope.KEYS_ADMIN, api::listKeys);
        api.route(router, "POST", "/v1/keys", ApiScope.KEYS_ADMIN, api::createKey);
        api.route(router, "GET", "/v1/keys/{kid}", ApiScope.KEYS_ADMIN, api::getKey);
        api.route(router, "POST", "/v1/keys/{kid}/rotate", ApiScope.KEYS_ADMIN, api::rotateKey);
        api.route(router, "POST", "/v1/keys/{kid}/retire", ApiScope.KEYS_ADMIN, api::retireKey);
        api.route(router, "POST", "/v1/keys/{kid}/revoke", ApiScope.KEYS_ADMIN, api::revokeKey);
        api.route(router, "GET", "/v1/rooms", ApiScope.ROOMS_ADMIN, api::listRooms);
        api.route(router, "POST", "/v1/rooms", ApiScope.ROOMS_ADMIN, api::createRoom);
        api.route(router, "GET", "/v1/rooms/{room}", ApiScope.ROOMS_ADMIN, api::getRoom);
        api.route(router, "POST", "/v1/rooms/{room}/close", ApiScope.ROOMS_ADMIN, api::closeRoom);
        api.route(router, "GET", "/v1/rooms/{room}/participants", ApiScope.ROOMS_ADMIN, api::listParticipants);
        api.route(router, "POST", "/v1/rooms/{room}/participants/{participantId}/remove", ApiScope.ROOMS_ADMIN, api::removeParticipant);
        api.route(router, "POST", "/v1/revocations/tokens", ApiScope.REVOCATIONS_ADMIN, api::revokeToken);
        api.route(router, "POST", "/v1/revocations/subjects", ApiScope.REVOCATIONS_ADMIN, api::revokeSubject);
        api.route(router, "GET", "/v1/acl", ApiScope.ACL_ADMIN, api::listAcl);
        api.route(router, "POST", "/v1/acl/grants", ApiScope.ACL_ADMIN, api::grantAcl);
        api.route(router, "POST", "/v1/acl/revocations", ApiScope.ACL_ADMIN, api::revokeAcl);
        api.route(router, "GET", "/v1/rooms/{room}/permissions", ApiScope.ACL_ADMIN, api::listPermissions);
        api.route(router, "POST", "/v1/rooms/{room}/permissions", ApiScope.ACL_ADMIN, api::changePermissions);
        api.route(router, "GET", "/v1/access-policy", ApiScope.ACL_ADMIN, api::getAccessPolicy);
        api.route(router, "POST", "/v1/access-policy", ApiScope.ACL_ADMIN, api::setAccessPolicy);
        api.route(router, "GET", "/v1/audit", ApiScope.AUDIT_READ, api::readAudit);
        api.route(router, "GET", "/v1/webhooks", ApiScope.WEBHOOKS_ADMIN, api::listWebhooks);
        api.route(router, "POST", "/v1/webhooks", ApiScope.WEBHOOKS_ADMIN, api::createWebhook);
        api.route(router, "POST", "/v1/webhooks/{webhookId}/remove", ApiScope.WEBHOOKS_ADMIN, api::removeWebhook);
    }

    /** Registers a route guarded by {@code scope}: the declared access and the enforced one are the same value. */
    private void route(Router router, String method, String template, ApiScope scope, AuthedHandler h) {
        route(router, control, method, template, scope, h);
    }

    /** A backend route guarded by {@code scope}, for the API classes beside this one (e.g. {@link MediaViewApi}). */
    static void route(Router router, ControlPlane control, String method, String template, ApiScope scope,
                      AuthedHandler h) {
        router.add(method, template, Router.scope(scope.wire()), authed(control, method + " " + template, scope, h));
    }

    /**
     * Authenticates (401/429), then checks the key holds {@code scope} (403 {@code missing_scope}, audited as
     * {@value AuditAction#API_AUTHORIZE}), then runs the handler; nothing is read or changed before both passed.
     */
    private static RouteHandler authed(ControlPlane control, String route, ApiScope scope, AuthedHandler h) {
        return req -> {
            BackendPrincipal caller;
            try {
                caller = control.authenticator().authenticate(req.header("Authorization"), req.sourceIp());
            } catch (BackendAuthException e) {
                return unauthenticated(e);
            }
            if (!caller.holds(scope)) {
                control.audit().append(new AuditEvent(caller.projectId(), caller.kid(), req.sourceIp(),
                        AuditAction.API_AUTHORIZE, "route:" + route, AuditOutcome.REFUSED, "missing_scope",
                        Map.of("scope", scope.wire())));
                return HttpResult.error(403, "missing_scope", "This API key does not hold the scope \""
                        + scope.wire() + "\" this route needs.");
            }
            try {
                return h.handle(caller, req);
            } catch (ServiceException e) {
                return HttpResult.error(e.error().httpStatus(), e.error().code(), e.getMessage());
            }
        };
    }

    /** 401 with a challenge, or 429 once the source is throttled. */
    static HttpResult unauthenticated(BackendAuthException e) {
        if (e.throttled()) {
            return HttpResult.error(429, "rate_limited", "Too many failed authentication attempts; retry later.")
                    .withHeader("Retry-After", "60");
        }
        // the reason says "missing" or "invalid", never which check failed (that would tell which key ids exist)
        return HttpResult.error(401, "unauthorized", e.reason() == RefusalReason.MISSING_CREDENTIALS
                        ? "Missing credentials." : "Invalid credentials.")
                .withHeader("WWW-Authenticate", "Basic realm=\"chorus\", Bearer realm=\"chorus\"");
    }

    // ---- webhooks (docs/webhooks.md) ----

    private HttpResult listWebhooks(BackendPrincipal caller, HttpRequestContext req) {
        return HttpResult.json(200, Map.of("webhooks", control.webhooks().list(caller).stream()
                .map(BackendApi::webhook).toList()));
    }

    private HttpResult createWebhook(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.CreateWebhook b = JsonBodyReader.read(req, ApiBodies.CreateWebhook.class, false);
        require(b.url(), "url");
        var created = control.webhooks().add(caller, b.url(), b.events(), req.sourceIp());
        Map<String, Object> out = new LinkedHashMap<>(webhook(created.endpoint()));
        out.put("secret", created.secret());
        return HttpResult.json(201, out);
    }

    private HttpResult removeWebhook(BackendPrincipal caller, HttpRequestContext req) {
        JsonBodyReader.read(req, ApiBodies.Empty.class, true);
        control.webhooks().remove(caller, req.pathParam("webhookId"), req.sourceIp());
        return HttpResult.json(200, Map.of("removed", req.pathParam("webhookId")));
    }

    private static Map<String, Object> webhook(dev.chorus.signaling.webhook.WebhookEndpoint e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("url", e.url().toString());
        m.put("events", e.events().stream().map(dev.chorus.signaling.webhook.WebhookEventType::wire).sorted().toList());
        m.put("createdAt", e.createdAt().toString());
        return m;
    }

    // ---- tokens ----

    /** {@code policy.e2ee}: "required" or "optional" (docs/e2ee.md). */
    private static boolean e2ee(String value) {
        if (value == null || value.equals("optional")) return false;
        if (value.equals("required")) return true;
        throw ApiError.badRequest("invalid_field", "policy.e2ee must be \"required\" or \"optional\".");
    }

    private HttpResult mintToken(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.Mint b = JsonBodyReader.read(req, ApiBodies.Mint.class, false);
        require(b.room(), "room");
        require(b.identity(), "identity");
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (b.scopes() != null) {
            for (String s : b.scopes()) {
                if (s == null) throw ApiError.badRequest("unknown_scope", "Unknown scope.");
                scopes.add(Scope.fromWire(s).orElseThrow(
                        () -> ApiError.badRequest("unknown_scope", "Unknown scope \"" + JsonBodyReader.plain(s) + "\".")));
            }
        }
        Duration ttl = null;
        if (b.ttlSeconds() != null) {
            if (b.ttlSeconds() <= 0) throw ApiError.badRequest("invalid_field", "ttlSeconds must be positive.");
            ttl = Duration.ofSeconds(b.ttlSeconds());
        }
        PeerPolicy policy = null;
        if (b.policy() != null) {
            ApiBodies.Subscribe sub = b.policy().subscribe();
            policy = PeerPolicy.of(
                    selectors(sub == null ? null : sub.allow(), "policy.subscribe.allow"),
                    selectors(sub == null ? null : sub.deny(), "policy.subscribe.deny"),
                    nonNegative(b.policy().maxTracks(), "policy.maxTracks"),
                    nonNegative(b.policy().maxKbps(), "policy.maxKbps"))
                    .withE2eeRequired(e2ee(b.policy().e2ee()));
        }
        MintRequest mr = new MintRequest(b.room(), b.identity(), scopes, b.role(), b.groups(), policy, b.meta(), ttl,
                b.cond(), b.name(), Boolean.TRUE.equals(b.p2p()));
        MintedToken t = control.issuer().mint(caller, mr, req.sourceIp());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", t.token());
        out.put("jti", t.jti());
        out.put("kid", t.kid());
        out.put("room", b.room());
        out.put("issuedAt", t.issuedAt().toString());
        out.put("expiresAt", t.expiresAt().toString());
        return HttpResult.json(201, out);
    }

    /** A selector list as given, refusing null entries (the issuer checks each selector's form). */
    private static List<String> selectors(List<String> list, String field) {
        if (list == null) return List.of();
        for (String s : list) {
            if (s == null) throw ApiError.badRequest("invalid_field", "Field \"" + field + "\" contains null.");
        }
        return list;
    }

    /** An optional limit: absent is "no limit" (-1); present must be 0 or more. */
    private static int nonNegative(Integer value, String field) {
        if (value == null) return -1;
        if (value < 0) throw ApiError.badRequest("invalid_field", "Field \"" + field + "\" must be 0 or more.");
        return value;
    }

    // ---- keys ----

    private HttpResult listKeys(BackendPrincipal caller, HttpRequestContext req) {
        return HttpResult.json(200, Map.of("keys", control.keys().list(caller, req.sourceIp()).stream().map(BackendApi::key).toList()));
    }

    private HttpResult createKey(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.CreateKey b = JsonBodyReader.read(req, ApiBodies.CreateKey.class, false);
        require(b.algorithm(), "algorithm");
        KeyAlgorithm alg = KeyAlgorithm.fromJwtName(b.algorithm()).orElseThrow(() -> ApiError.badRequest(
                "invalid_field", "algorithm must be one of HS256, ES256, EdDSA."));
        return HttpResult.json(201, created(control.keys().create(caller, alg, b.publicKeyPem(),
                apiScopes(b.scopes()), req.sourceIp())));
    }

    private HttpResult getKey(BackendPrincipal caller, HttpRequestContext req) {
        return HttpResult.json(200, key(control.keys().get(caller, req.pathParam("kid"), req.sourceIp())));
    }

    private HttpResult rotateKey(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.RotateKey b = JsonBodyReader.read(req, ApiBodies.RotateKey.class, true);
        return HttpResult.json(201, created(control.keys().rotate(caller, req.pathParam("kid"), b.publicKeyPem(),
                req.sourceIp())));
    }

    private HttpResult retireKey(BackendPrincipal caller, HttpRequestContext req) {
        JsonBodyReader.read(req, ApiBodies.Empty.class, true);
        return HttpResult.json(200, key(control.keys().retire(caller, req.pathParam("kid"), req.sourceIp())));
    }

    private HttpResult revokeKey(BackendPrincipal caller, HttpRequestContext req) {
        JsonBodyReader.read(req, ApiBodies.Empty.class, true);
        // The service fires ProjectEvents.keyRevoked, which closes the sessions admitted with this key.
        return HttpResult.json(200, key(control.keys().revoke(caller, req.pathParam("kid"), req.sourceIp())));
    }

    // ---- rooms ----

    private HttpResult listRooms(BackendPrincipal caller, HttpRequestContext req) {
        return HttpResult.json(200, Map.of("rooms", control.rooms().list(caller).stream().map(BackendApi::room).toList()));
    }

    private HttpResult createRoom(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.CreateRoom b = JsonBodyReader.read(req, ApiBodies.CreateRoom.class, false);
        require(b.room(), "room");
        return HttpResult.json(201, room(control.rooms().create(caller, b.room(), req.sourceIp())));
    }

    private HttpResult getRoom(BackendPrincipal caller, HttpRequestContext req) {
        return HttpResult.json(200, room(control.rooms().get(caller, req.pathParam("room"), req.sourceIp())));
    }

    private HttpResult closeRoom(BackendPrincipal caller, HttpRequestContext req) {
        JsonBodyReader.read(req, ApiBodies.Empty.class, true);
        return HttpResult.json(200, room(control.rooms().close(caller, req.pathParam("room"), req.sourceIp())));
    }

    private HttpResult listParticipants(BackendPrincipal caller, HttpRequestContext req) {
        Room r = control.rooms().get(caller, req.pathParam("room"), req.sourceIp()); // 404 across projects
        List<Map<String, Object>> list = sessions.inRoom(caller.projectId(), r.roomId()).stream()
                .map(BackendApi::participant).toList();
        return HttpResult.json(200, Map.of("participants", list));
    }

    /** Closes one participant's session (4004 "removed"); audited. Another project's participant is not found. */
    private HttpResult removeParticipant(BackendPrincipal caller, HttpRequestContext req) {
        JsonBodyReader.read(req, ApiBodies.Empty.class, true);
        Room r = control.rooms().get(caller, req.pathParam("room"), req.sourceIp()); // 404 across projects
        String pid = req.pathParam("participantId");
        ParticipantSession s = sessions.get(pid)
                .filter(x -> x.projectId().equals(caller.projectId()) && x.room().equals(r.roomId()))
                .orElse(null);
        if (s == null) {
            control.audit().append(AuditEvent.refused(caller.projectId(), caller.kid(), req.sourceIp(),
                    PARTICIPANT_REMOVE, "participant:" + pid, "not_found"));
            throw ApiError.notFound();
        }
        sessions.closeWhere(x -> x == s, WsCloseCodes.REVOKED, "removed"); // listeners close the media side too
        control.audit().append(AuditEvent.success(caller.projectId(), caller.kid(), req.sourceIp(), PARTICIPANT_REMOVE,
                "participant:" + pid, Map.of("room", r.roomId())));
        return HttpResult.json(200, Map.of("removed", pid));
    }

    /** Audit action of a participant removed through the API. */
    public static final String PARTICIPANT_REMOVE = "participant.remove";

    // ---- revocations ----

    private HttpResult revokeToken(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.RevokeToken b = JsonBodyReader.read(req, ApiBodies.RevokeToken.class, false);
        require(b.jti(), "jti");
        control.revocations().revokeToken(caller, b.jti(), req.sourceIp());
        return HttpResult.json(200, Map.of("revoked", "token", "jti", b.jti()));
    }

    private HttpResult revokeSubject(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.RevokeSubject b = JsonBodyReader.read(req, ApiBodies.RevokeSubject.class, false);
        require(b.subject(), "subject");
        Instant watermark = control.revocations().revokeSubject(caller, b.subject(), req.sourceIp());
        return HttpResult.json(200, Map.of("revoked", "subject", "issuedAtOrBefore", watermark.toString()));
    }

    // ---- live authorization: ACL, scope overrides, access policy ----

    private HttpResult listAcl(BackendPrincipal caller, HttpRequestContext req) {
        return HttpResult.json(200, Map.of("entries", control.acl().list(caller).stream().map(BackendApi::acl).toList()));
    }

    private HttpResult grantAcl(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.Acl b = JsonBodyReader.read(req, ApiBodies.Acl.class, false);
        require(b.subscriber(), "subscriber");
        require(b.publisher(), "publisher");
        return HttpResult.json(200, acl(control.acl().grant(caller, b.subscriber(), b.publisher(), b.kind(),
                b.trackId(), req.sourceIp())));
    }

    private HttpResult revokeAcl(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.Acl b = JsonBodyReader.read(req, ApiBodies.Acl.class, false);
        require(b.subscriber(), "subscriber");
        require(b.publisher(), "publisher");
        return HttpResult.json(200, acl(control.acl().revoke(caller, b.subscriber(), b.publisher(), b.kind(),
                b.trackId(), req.sourceIp())));
    }

    private HttpResult listPermissions(BackendPrincipal caller, HttpRequestContext req) {
        List<Map<String, Object>> list = control.permissions().overrides(caller, req.pathParam("room"), req.sourceIp())
                .stream().map(o -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("identity", o.identity());
                    m.put("scope", o.scope().wire());
                    m.put("revokedAt", iso(o.at()));
                    return m;
                }).toList();
        return HttpResult.json(200, Map.of("revoked", list));
    }

    private HttpResult changePermissions(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.Permissions b = JsonBodyReader.read(req, ApiBodies.Permissions.class, false);
        require(b.identity(), "identity");
        Map<Scope, Boolean> changes = new LinkedHashMap<>();
        for (String s : b.restore() == null ? List.<String>of() : b.restore()) changes.put(scope(s), true);
        for (String s : b.revoke() == null ? List.<String>of() : b.revoke()) changes.put(scope(s), false);
        if (changes.isEmpty()) throw ApiError.badRequest("invalid_field", "revoke or restore must name a scope.");
        List<Scope> taken = control.permissions().change(caller, req.pathParam("room"), b.identity(), changes,
                req.sourceIp());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("identity", b.identity());
        out.put("revoked", taken.stream().map(Scope::wire).toList());
        return HttpResult.json(200, out);
    }

    private static Scope scope(String s) {
        if (s == null) throw ApiError.badRequest("unknown_scope", "Unknown scope.");
        return Scope.fromWire(s).orElseThrow(
                () -> ApiError.badRequest("unknown_scope", "Unknown scope \"" + JsonBodyReader.plain(s) + "\"."));
    }

    private HttpResult getAccessPolicy(BackendPrincipal caller, HttpRequestContext req) {
        return HttpResult.json(200, accessPolicy(control.permissions().accessPolicy(caller)));
    }

    private HttpResult setAccessPolicy(BackendPrincipal caller, HttpRequestContext req) {
        ApiBodies.AccessPolicyBody b = JsonBodyReader.read(req, ApiBodies.AccessPolicyBody.class, false);
        AccessPolicy current = control.permissions().accessPolicy(caller);
        AccessPolicy next;
        try {
            next = new AccessPolicy(b.aclMode() == null ? current.aclMode() : b.aclMode(),
                    b.allowedCidrs() == null ? current.allowedCidrs() : b.allowedCidrs(),
                    b.maxSessionsPerIdentity() == null ? current.maxSessionsPerIdentity() : b.maxSessionsPerIdentity(),
                    b.hoursUtc() == null ? current.hoursUtc() : (b.hoursUtc().isEmpty() ? null : b.hoursUtc()),
                    b.allowPiiIdentities() == null ? current.allowPiiIdentities() : b.allowPiiIdentities(),
                    b.replaceSameTokenSession() == null ? current.replaceSameTokenSession()
                            : b.replaceSameTokenSession());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ApiError.badRequest("invalid_field", "Invalid access policy.");
        }
        return HttpResult.json(200, accessPolicy(control.permissions().setAccessPolicy(caller, next, req.sourceIp())));
    }

    // ---- audit ----

    /** The caller's project's last {@code limit} (default 100, at most 1000) audit events, oldest first. */
    private HttpResult readAudit(BackendPrincipal caller, HttpRequestContext req) {
        String l = req.queryParam("limit");
        int limit;
        try {
            limit = l == null ? 100 : Integer.parseInt(l);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > ProjectAuditReader.MAX_LIMIT) {
            throw ApiError.badRequest("invalid_field", "limit must be in 1.." + ProjectAuditReader.MAX_LIMIT + ".");
        }
        return HttpResult.json(200, Map.of("events",
                ProjectAuditReader.last(control.audit().file(), caller.projectId(), limit)));
    }

    static Map<String, Object> accessPolicy(AccessPolicy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("aclMode", p.aclMode());
        m.put("allowedCidrs", p.allowedCidrs());
        m.put("maxSessionsPerIdentity", p.maxSessionsPerIdentity());
        m.put("hoursUtc", p.hoursUtc());
        m.put("allowPiiIdentities", p.allowPiiIdentities());
        m.put("replaceSameTokenSession", p.replaceSameTokenSession());
        return m;
    }

    static Map<String, Object> acl(AclEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscriber", e.subscriber());
        m.put("publisher", e.publisher());
        m.put("kind", e.kind().isEmpty() ? null : e.kind());
        m.put("trackId", e.trackId().isEmpty() ? null : e.trackId());
        m.put("effect", e.effect().wire());
        m.put("at", iso(e.at()));
        return m;
    }

    // ---- views ----

    /** API scope names of a request body; absent means none (deny by default). */
    static Set<ApiScope> apiScopes(List<String> names) {
        Set<ApiScope> out = EnumSet.noneOf(ApiScope.class);
        if (names == null) return out;
        for (String n : names) {
            out.add(ApiScope.fromWire(n).orElseThrow(() -> ApiError.badRequest("unknown_scope",
                    "Unknown API scope \"" + JsonBodyReader.plain(String.valueOf(n)) + "\".")));
        }
        return out;
    }

    private static void require(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw ApiError.badRequest("invalid_field", "Field \"" + field + "\" is required.");
        }
    }

    public static Map<String, Object> key(KeyInfo k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kid", k.kid());
        m.put("algorithm", k.algorithm().jwtName());
        m.put("state", k.state().wire());
        m.put("createdAt", iso(k.createdAt()));
        m.put("retiredAt", iso(k.retiredAt()));
        m.put("revokedAt", iso(k.revokedAt()));
        m.put("scopes", k.apiScopes().stream().sorted().map(ApiScope::wire).toList());
        if (k.publicKeyPem() != null) m.put("publicKeyPem", k.publicKeyPem());
        return m;
    }

    public static Map<String, Object> created(CreatedKey c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key(c.key()));
        // One-time material: shown in this response only, never stored in this form or logged.
        if (c.secret() != null) m.put("secret", c.secret());
        if (c.privateKeyPem() != null) m.put("privateKeyPem", c.privateKeyPem());
        return m;
    }

    static Map<String, Object> room(Room r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("room", r.roomId());
        m.put("state", r.state().wire());
        m.put("createdAt", iso(r.createdAt()));
        m.put("closedAt", iso(r.closedAt()));
        return m;
    }

    static Map<String, Object> participant(ParticipantSession s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("participantId", s.participantId());
        m.put("identity", s.identity());
        m.put("rights", s.rights());
        m.put("joinedAt", iso(s.joinedAt()));
        m.put("expiresAt", iso(s.expiresAt()));
        return m;
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
