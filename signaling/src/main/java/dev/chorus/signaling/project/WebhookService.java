package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.webhook.WebhookEndpoint;
import dev.chorus.signaling.webhook.WebhookEventType;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A project's webhook endpoints for the HTTP API: add (the signing secret is generated here and shown once),
 * list, remove. Every change is audited; another project's endpoint is "not found".
 */
public final class WebhookService {
    /** Endpoints one project may have: each receives a copy of every event, so this bounds the fan-out. */
    public static final int MAX_ENDPOINTS_PER_PROJECT = 10;
    static final int MAX_URL_CHARS = 2048;

    /** An endpoint just added, with its secret (never retrievable again). */
    public record Created(WebhookEndpoint endpoint, String secret) {}

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public WebhookService(Store store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    public Created add(BackendPrincipal caller, String url, List<String> events, String source) {
        Project project = ProjectScope.project(store, caller);
        URI uri = validUrl(url);
        if (uri == null) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.WEBHOOK_CREATE, "webhook",
                    ServiceError.INVALID_REQUEST, "url must be an absolute https URL without user info or fragment"
                            + " (at most " + MAX_URL_CHARS + " characters)");
        }
        Set<WebhookEventType> types = EnumSet.noneOf(WebhookEventType.class);
        for (String e : events == null ? List.<String>of() : events) {
            WebhookEventType t = e == null ? null : WebhookEventType.fromWire(e).orElse(null);
            if (t == null) {
                throw ProjectScope.refused(audit, caller, source, AuditAction.WEBHOOK_CREATE, "webhook",
                        ServiceError.INVALID_REQUEST, "unknown event type");
            }
            types.add(t);
        }
        if (store.webhooks().endpoints(project.id()).size() >= MAX_ENDPOINTS_PER_PROJECT) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.WEBHOOK_CREATE, "webhook",
                    ServiceError.INVALID_REQUEST, "a project has at most " + MAX_ENDPOINTS_PER_PROJECT + " endpoints");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        byte[] idBytes = new byte[12];
        random.nextBytes(idBytes);
        String secretText = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        // the receiver keys its HMAC with the text it was given, so that text is the key
        WebhookEndpoint endpoint = new WebhookEndpoint("wh_" + HexFormat.of().formatHex(idBytes), project.id(), uri,
                secretText.getBytes(java.nio.charset.StandardCharsets.US_ASCII), types, clock.instant());
        store.webhooks().addEndpoint(endpoint);
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, AuditAction.WEBHOOK_CREATE,
                "webhook:" + endpoint.id(), Map.of("host", uri.getHost(),
                        "events", types.isEmpty() ? "*" : String.join(" ", types.stream()
                                .map(WebhookEventType::wire).sorted().toList()))));
        return new Created(endpoint, secretText);
    }

    public List<WebhookEndpoint> list(BackendPrincipal caller) {
        return store.webhooks().endpoints(ProjectScope.project(store, caller).id());
    }

    public void remove(BackendPrincipal caller, String endpointId, String source) {
        Project project = ProjectScope.project(store, caller);
        if (endpointId == null || endpointId.length() > 64 || !store.webhooks().removeEndpoint(project.id(),
                endpointId)) {
            boolean elsewhere = endpointId != null && endpointId.length() <= 64
                    && store.webhooks().endpoint(endpointId).isPresent();
            throw ProjectScope.notFound(audit, caller, source, AuditAction.WEBHOOK_REMOVE, "webhook", elsewhere);
        }
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, AuditAction.WEBHOOK_REMOVE,
                "webhook:" + endpointId, Map.of()));
    }

    /** An absolute https URL with a host, no user info and no fragment; null otherwise. */
    static URI validUrl(String url) {
        if (url == null || url.isEmpty() || url.length() > MAX_URL_CHARS) {
            return null;
        }
        try {
            URI u = new URI(url);
            boolean ok = "https".equals(u.getScheme()) && u.getHost() != null && u.getRawUserInfo() == null
                    && u.getRawFragment() == null;
            return ok ? u : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
