package dev.chorus.signaling.call;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.auth.JoinTokenIssuer;
import dev.chorus.signaling.auth.MintRequest;
import dev.chorus.signaling.auth.MintedToken;
import dev.chorus.signaling.http.HttpResult;
import dev.chorus.signaling.http.ContentTypes;
import dev.chorus.signaling.http.Json;
import dev.chorus.signaling.http.OriginPolicy;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ServiceException;
import dev.chorus.signaling.store.Store;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /dev/token} — DEV MODE ONLY: mints a join token for the dev project without credentials, so the demo
 * page can join with one click. The server module registers it only in dev mode; in production the path does not
 * exist (404). Body (all optional):
 * {@code {"room":"demo","identity":"…","name":"Ada","scopes":["room:join",…],"e2ee":"required","p2p":false}}; the
 * default scopes are every media and data scope. Signed by the dev project's API key, so it is audited like any mint.
 */
public final class DevTokenRoute {
    public static final String PATH = "/dev/token";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Scope> DEFAULT_SCOPES = EnumSet.of(Scope.ROOM_JOIN, Scope.PUBLISH_AUDIO,
            Scope.PUBLISH_VIDEO, Scope.PUBLISH_SCREEN, Scope.SUBSCRIBE, Scope.DATA_PUBLISH, Scope.DATA_SUBSCRIBE);

    private DevTokenRoute() {}

    public static void register(Router router, Store store, JoinTokenIssuer issuer, String devProjectId) {
        register(router, store, issuer, devProjectId, OriginPolicy.sameOrigin());
    }

    /**
     * The route refuses what a cross-site page could send: a body that is not declared {@code application/json}
     * (415; a page cannot send that type cross-site without a CORS preflight, which this server never grants) and an
     * {@code Origin} the policy does not allow (403). Without those checks any page a developer visits could mint
     * dev tokens from their browser.
     */
    public static void register(Router router, Store store, JoinTokenIssuer issuer, String devProjectId,
                                OriginPolicy origins) {
        router.add("POST", PATH, req -> {
            if (!origins.allows(req.header("Origin"), req.header("Host"))) {
                return HttpResult.error(403, "origin_not_allowed", "Requests from this origin are not allowed.");
            }
            if (!ContentTypes.isJson(req.header("Content-Type"))) {
                return HttpResult.error(415, "unsupported_media_type", "Content-Type must be application/json.");
            }
            JsonNode body;
            try {
                body = req.body().length == 0 ? Json.mapper().createObjectNode() : Json.mapper().readTree(req.body());
            } catch (Exception e) {
                return HttpResult.error(400, "bad_json", "Body must be a JSON object.");
            }
            if (body == null || !body.isObject()) return HttpResult.error(400, "bad_json", "Body must be a JSON object.");
            String room = text(body, "room", "demo");
            String identity = text(body, "identity", "dev-" + HexFormat.of().formatHex(randomBytes()));
            Set<Scope> scopes = DEFAULT_SCOPES;
            if (body.has("scopes")) {
                if (!body.get("scopes").isArray()) return HttpResult.error(400, "bad_request", "scopes must be an array.");
                scopes = EnumSet.noneOf(Scope.class);
                for (JsonNode s : body.get("scopes")) {
                    Optional<Scope> sc = s.isTextual() ? Scope.fromWire(s.textValue()) : Optional.empty();
                    if (sc.isEmpty()) return HttpResult.error(400, "unknown_scope", "Unknown scope.");
                    scopes.add(sc.get());
                }
            }
            String name = body.hasNonNull("name") ? text(body, "name", null) : null;
            // "e2ee": "required" — the token's policy requires end-to-end encrypted publishing (docs/e2ee.md)
            String e2ee = body.hasNonNull("e2ee") ? text(body, "e2ee", null) : null;
            if (e2ee != null && !e2ee.equals("required") && !e2ee.equals("optional")) {
                return HttpResult.error(400, "bad_request", "e2ee must be \"required\" or \"optional\".");
            }
            dev.chorus.signaling.auth.PeerPolicy policy = "required".equals(e2ee)
                    ? dev.chorus.signaling.auth.PeerPolicy.UNRESTRICTED.withE2eeRequired(true) : null;
            if (body.has("p2p") && !body.get("p2p").isBoolean()) {
                return HttpResult.error(400, "bad_request", "p2p must be a boolean.");
            }
            boolean p2p = body.path("p2p").asBoolean(false);
            Optional<ProjectKey> key = store.keys(devProjectId).stream()
                    .filter(k -> k.algorithm() == KeyAlgorithm.HS256 && k.state().canSign()).findFirst();
            if (key.isEmpty()) return HttpResult.error(503, "no_dev_key", "The dev project has no active API key.");
            BackendPrincipal dev = new BackendPrincipal(devProjectId, key.get().kid(), KeyAlgorithm.HS256,
                    BackendPrincipal.Method.API_KEY);
            MintedToken t;
            try {
                t = issuer.mint(dev, new MintRequest(room, identity, scopes, null, List.of(), policy,
                        null, Duration.ofHours(1), null, name, p2p), req.sourceIp());
            } catch (ServiceException e) {
                return HttpResult.error(e.error().httpStatus(), e.error().code(), e.getMessage());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("token", t.token());
            out.put("room", room);
            out.put("identity", identity);
            out.put("expiresAt", t.expiresAt().getEpochSecond());
            return HttpResult.json(200, out);
        });
    }

    private static String text(JsonNode body, String field, String dflt) {
        JsonNode n = body.get(field);
        return n != null && n.isTextual() && !n.textValue().isBlank() ? n.textValue() : dflt;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }
}
