package dev.chorus.signaling.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.Identifiers;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ServiceError;
import dev.chorus.signaling.project.ServiceException;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Mints join tokens for the HTTP API.
 *
 * <p><b>Which key signs.</b> The HS256 API key that authenticated the call ({@link BackendPrincipal#kid()}), and
 * only when the project allows HS256 join tokens ({@code Project.hs256JoinTokens}) and that key is active. Chorus
 * holds no private ES256/EdDSA key, so a caller that authenticated with a backend JWT signed by an asymmetric key
 * is refused ({@code signing_not_allowed}); such a backend mints its own tokens (see {@link BackendTokenMinter}).
 * Signing with the caller's own key keeps attribution exact (the token's kid names the credential that asked for
 * it) and makes revoking that key revoke everything it minted.
 */
public final class JoinTokenIssuer {
    private final Store store;
    private final String audience;
    private final Clock clock;
    private final AuditLog audit;
    private final AuthMetrics metrics;

    public JoinTokenIssuer(Store store, String audience, Clock clock, AuditLog audit, AuthMetrics metrics) {
        this.store = store;
        this.audience = audience;
        this.clock = clock;
        this.audit = audit;
        this.metrics = metrics;
    }

    /**
     * @throws dev.chorus.signaling.project.ServiceException (400 ttl_too_long, invalid_request, unknown_scope …;
     *                                                       403 scope_not_allowed, signing_not_allowed)
     */
    public MintedToken mint(BackendPrincipal caller, MintRequest request, String source) {
        try {
            MintedToken t = mintChecked(caller, request);
            audit.append(AuditEvent.success(caller.projectId(), caller.kid(), source, AuditAction.TOKEN_MINT,
                    "room:" + request.room(), Map.of(
                            "jti", t.jti(),
                            "identity", AuditEvent.identityHash(caller.projectId(), request.identity()),
                            "exp", t.expiresAt().toString())));
            metrics.tokenMinted();
            return t;
        } catch (ServiceException e) {
            audit.append(AuditEvent.refused(caller.projectId(), caller.kid(), source, AuditAction.TOKEN_MINT,
                    "room:" + request.room(), e.error().code()));
            throw e;
        }
    }

    private MintedToken mintChecked(BackendPrincipal caller, MintRequest req) {
        Project project = store.project(caller.projectId())
                .orElseThrow(() -> new ServiceException(ServiceError.NOT_FOUND, "project not found"));
        ProjectKey key = store.key(caller.kid()).filter(k -> k.projectId().equals(project.id()))
                .orElseThrow(() -> new ServiceException(ServiceError.SIGNING_NOT_ALLOWED, "no signing key"));
        if (!project.hs256JoinTokens()) {
            throw new ServiceException(ServiceError.SIGNING_NOT_ALLOWED,
                    "this project does not allow Chorus-signed (HS256) join tokens; mint them with your own key");
        }
        if (key.algorithm() != KeyAlgorithm.HS256 || !key.state().canSign()) {
            throw new ServiceException(ServiceError.SIGNING_NOT_ALLOWED,
                    "authenticate with an active API key to mint tokens");
        }
        if (!Identifiers.isRoomId(req.room())) {
            throw new ServiceException(ServiceError.INVALID_REQUEST, "room must be 1-128 printable characters (NFC)");
        }
        if (!Identifiers.isSubject(req.identity())) {
            throw new ServiceException(ServiceError.INVALID_REQUEST,
                    "identity must be 1-256 printable characters (NFC), an opaque id");
        }
        Duration ttl = req.ttl() == null ? project.maxTokenTtl() : req.ttl();
        if (ttl.isNegative() || ttl.toSeconds() < 1) {
            throw new ServiceException(ServiceError.INVALID_REQUEST, "ttl must be at least one second");
        }
        if (ttl.compareTo(project.maxTokenTtl()) > 0) {
            throw new ServiceException(ServiceError.TTL_TOO_LONG,
                    "ttl exceeds the project's maximum of " + project.maxTokenTtl().toSeconds() + " s");
        }
        if (req.name() != null && !Identifiers.isDisplayName(req.name())) {
            throw new ServiceException(ServiceError.INVALID_REQUEST, "name must be printable NFC text of at most "
                    + Identifiers.MAX_DISPLAY_NAME_CHARS + " characters");
        }
        String metaText;
        PeerPolicy policy;
        List<String> groups;
        try {
            GrantClaims.effectiveRights(project, req.scopes(), req.role());
            groups = GrantClaims.groups(req.groups());
            policy = req.policy() == null ? PeerPolicy.UNRESTRICTED
                    : GrantClaims.policy(GrantClaims.toJson(req.policy()));
            metaText = GrantClaims.meta(req.meta());
            AccessConditions.parse(req.conditions()); // strict, like the verifier
            checkPii(project.id(), req.identity(), metaText, req.name());
        } catch (TokenRefusedException e) {
            throw asServiceError(e.reason());
        }
        long iat = clock.instant().getEpochSecond();
        long exp = iat + ttl.toSeconds();
        String jti = KeyMaterial.newJti();
        ObjectNode p = JwtWriter.object();
        p.put("iss", project.id());
        p.put("aud", audience);
        p.put("sub", req.identity());
        p.put("jti", jti);
        p.put("iat", iat);
        p.put("nbf", iat);
        p.put("exp", exp);
        p.put("room", req.room());
        if (!req.scopes().isEmpty()) {
            p.put("scope", Scope.toWire(req.scopes()));
        }
        if (req.role() != null) {
            p.put("role", req.role());
        }
        if (!groups.isEmpty()) {
            groups.forEach(p.putArray("grp")::add);
        }
        if (policy.present()) {
            p.set("policy", GrantClaims.toJson(policy));
        }
        if (metaText != null) {
            p.set("meta", req.meta());
        }
        if (req.name() != null) {
            p.put("name", req.name());
        }
        if (req.conditions() != null) {
            p.set("cond", req.conditions());
        }
        if (req.p2p()) {
            p.put("p2p", true);
        }
        String token = JwtWriter.sign(JwtWriter.header(KeyAlgorithm.HS256.jwtName(), key.kid(),
                JoinTokenVerifier.TYPE), p, KeyMaterial.hs256SignerFor(key));
        return new MintedToken(token, jti, key.kid(), Instant.ofEpochSecond(iat), Instant.ofEpochSecond(exp));
    }

    private volatile boolean devMode;

    /** Dev mode: the PII guard only warns (the join does the same). */
    public void devMode(boolean dev) {
        this.devMode = dev;
    }

    /** PII guard at mint, so a production backend learns at once (the join checks again). */
    private void checkPii(String projectId, String identity, String metaText, String name) {
        if (devMode || store.accessPolicy(projectId).map(AccessPolicy::allowPiiIdentities).orElse(false)) return;
        if (PiiGuard.looksLikePii(identity) != null) throw new TokenRefusedException(RefusalReason.PII_IDENTITY);
        if (PiiGuard.looksLikePii(metaText) != null) throw new TokenRefusedException(RefusalReason.PII_META);
        if (PiiGuard.looksLikePii(name) != null) throw new TokenRefusedException(RefusalReason.PII_NAME);
    }

    private static ServiceException asServiceError(RefusalReason r) {
        return switch (r) {
            case PII_IDENTITY -> new ServiceException(ServiceError.INVALID_REQUEST,
                    "identity looks like an e-mail address or phone number; use an opaque id (or the project's PII opt-out)");
            case PII_META -> new ServiceException(ServiceError.INVALID_REQUEST,
                    "meta looks like it contains an e-mail address or phone number");
            case PII_NAME -> new ServiceException(ServiceError.INVALID_REQUEST,
                    "name looks like an e-mail address or phone number; it is a display name");
            case UNKNOWN_SCOPE -> new ServiceException(ServiceError.UNKNOWN_SCOPE, "unknown scope");
            case UNKNOWN_ROLE -> new ServiceException(ServiceError.UNKNOWN_ROLE, "unknown role");
            case SCOPE_NOT_ALLOWED -> new ServiceException(ServiceError.SCOPE_NOT_ALLOWED,
                    "scope beyond the project's allowed scopes");
            case NO_JOIN_SCOPE -> new ServiceException(ServiceError.SCOPE_NOT_ALLOWED,
                    "the token would not grant room:join");
            case MISSING_CLAIM -> new ServiceException(ServiceError.INVALID_REQUEST, "give scopes or a role");
            case META_TOO_LARGE -> new ServiceException(ServiceError.INVALID_REQUEST, "meta is larger than 1 KiB");
            default -> new ServiceException(ServiceError.INVALID_REQUEST, "invalid groups, policy or meta");
        };
    }
}
