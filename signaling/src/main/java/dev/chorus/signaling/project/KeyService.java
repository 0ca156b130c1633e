package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Key management for the HTTP API, always scoped to the caller's project. A kid of another project is answered
 * exactly like an unknown kid ({@link ServiceError#NOT_FOUND}) and the attempt is audited with reason
 * {@code cross_project}. One-time material (HS256 secret, generated private key) is returned in
 * {@link CreatedKey} and never audited or stored.
 */
public final class KeyService {
    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final ProjectEvents events;

    public KeyService(Store store, AuditLog audit, Clock clock, ProjectEvents events) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    /**
     * Creates a key. HS256: Chorus generates the secret. ES256/EdDSA: with {@code publicKeyPem} null Chorus generates
     * a pair and returns the private key once; otherwise it registers the given SubjectPublicKeyInfo PEM.
     */
    public CreatedKey create(BackendPrincipal caller, KeyAlgorithm algorithm, String publicKeyPem, String source) {
        return create(caller, algorithm, publicKeyPem, Set.of(), source);
    }

    /**
     * Same, the key holding exactly {@code apiScopes} on the HTTP API. A caller cannot hand out a scope it does not
     * hold itself ({@link ServiceError#SCOPE_NOT_ALLOWED}), so a key can never mint a more powerful key.
     */
    public CreatedKey create(BackendPrincipal caller, KeyAlgorithm algorithm, String publicKeyPem,
                             Set<ApiScope> apiScopes, String source) {
        Project project = ProjectScope.project(store, caller);
        requireActiveCaller(caller, source, AuditAction.KEY_CREATE);
        if (!caller.apiScopes().containsAll(apiScopes)) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.KEY_CREATE, "key",
                    ServiceError.SCOPE_NOT_ALLOWED, "a key cannot grant API scopes it does not hold");
        }
        Generated g = generate(caller, algorithm, publicKeyPem, source, AuditAction.KEY_CREATE);
        ProjectKey key = ProjectKey.active(KeyMaterial.newKid(), project.id(), algorithm, g.material, clock.instant())
                .withApiScopes(apiScopes);
        store.insertKey(key);
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, AuditAction.KEY_CREATE,
                "key:" + key.kid(), Map.of("alg", algorithm.jwtName(), "supplied", Boolean.toString(g.supplied),
                        "api_scopes", ApiScope.toWire(apiScopes))));
        return new CreatedKey(info(key), g.secret, g.privateKeyPem);
    }

    public List<KeyInfo> list(BackendPrincipal caller) {
        return list(caller, null);
    }

    public List<KeyInfo> list(BackendPrincipal caller, String source) {
        requireActiveCaller(caller, source, AuditAction.KEY_LIST);
        return store.keys(caller.projectId()).stream().map(KeyService::info).toList();
    }

    public KeyInfo get(BackendPrincipal caller, String kid, String source) {
        requireActiveCaller(caller, source, AuditAction.KEY_LIST);
        return info(owned(caller, kid, source, AuditAction.KEY_LIST));
    }

    /** New key of the same algorithm (from {@code newPublicKeyPem} if given) and the old one moves to retiring. */
    public CreatedKey rotate(BackendPrincipal caller, String kid, String newPublicKeyPem, String source) {
        requireActiveCaller(caller, source, AuditAction.KEY_ROTATE);
        ProjectKey old = owned(caller, kid, source, AuditAction.KEY_ROTATE);
        if (old.state() != KeyState.ACTIVE) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.KEY_ROTATE, "key:" + kid,
                    ServiceError.CONFLICT, "only an active key can be rotated");
        }
        Generated g = generate(caller, old.algorithm(), newPublicKeyPem, source, AuditAction.KEY_ROTATE);
        Instant now = clock.instant();
        // the successor holds what its predecessor held: a rotation changes material, not rights
        ProjectKey fresh = ProjectKey.active(KeyMaterial.newKid(), old.projectId(), old.algorithm(), g.material, now)
                .withApiScopes(old.apiScopes());
        try {
            store.rotateKey(fresh, kid, now);
        } catch (StoreException.Conflict e) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.KEY_ROTATE, "key:" + kid,
                    ServiceError.CONFLICT, "only an active key can be rotated");
        }
        audit.append(AuditEvent.success(old.projectId(), caller.kid(), source, AuditAction.KEY_ROTATE, "key:" + kid,
                Map.of("new_kid", fresh.kid(), "state", KeyState.RETIRING.wire())));
        return new CreatedKey(info(fresh), g.secret, g.privateKeyPem);
    }

    public KeyInfo retire(BackendPrincipal caller, String kid, String source) {
        requireActiveCaller(caller, source, AuditAction.KEY_RETIRE);
        ProjectKey k = owned(caller, kid, source, AuditAction.KEY_RETIRE);
        if (k.state() == KeyState.REVOKED) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.KEY_RETIRE, "key:" + kid,
                    ServiceError.CONFLICT, "a revoked key cannot be retired");
        }
        return transition(caller, k, KeyState.RETIRING, source, AuditAction.KEY_RETIRE);
    }

    /** Nothing the key signed verifies any more; live sessions admitted with it are told to end. */
    public KeyInfo revoke(BackendPrincipal caller, String kid, String source) {
        requireActiveCaller(caller, source, AuditAction.KEY_REVOKE);
        ProjectKey k = owned(caller, kid, source, AuditAction.KEY_REVOKE);
        KeyInfo info = transition(caller, k, KeyState.REVOKED, source, AuditAction.KEY_REVOKE);
        events.keyRevoked(k.projectId(), kid);
        return info;
    }

    private KeyInfo transition(BackendPrincipal caller, ProjectKey k, KeyState to, String source, String action) {
        ProjectKey updated = store.updateKeyState(k.kid(), to, clock.instant()).orElseThrow();
        audit.append(AuditEvent.success(k.projectId(), caller.kid(), source, action, "key:" + k.kid(),
                Map.of("state", k.state().wire() + "->" + updated.state().wire())));
        return info(updated);
    }

    /**
     * Key management needs an active key. A retiring key still authenticates (the backend may be mid-rotation) but
     * must not list, create, rotate, retire or revoke keys: otherwise a leaked old key could revoke its own
     * replacement and take the project over.
     */
    private void requireActiveCaller(BackendPrincipal caller, String source, String action) {
        // the local CLI operator acts without a key (it holds the data dir), so only a stored key is checked
        boolean inactive = store.key(caller.kid()).map(k -> k.state() != KeyState.ACTIVE).orElse(false);
        if (inactive) {
            throw ProjectScope.refused(audit, caller, source, action, "key", ServiceError.KEY_RETIRING,
                    "this key is retiring (or revoked): manage keys with an active key");
        }
    }

    private ProjectKey owned(BackendPrincipal caller, String kid, String source, String action) {
        Optional<ProjectKey> k = Identifiers.isKid(kid) ? store.key(kid) : Optional.empty();
        if (k.isEmpty() || !k.get().projectId().equals(caller.projectId())) {
            throw ProjectScope.notFound(audit, caller, source, action, Identifiers.isKid(kid) ? "key:" + kid : "key",
                    k.isPresent());
        }
        return k.get();
    }

    private record Generated(byte[] material, String secret, String privateKeyPem, boolean supplied) {
    }

    private Generated generate(BackendPrincipal caller, KeyAlgorithm alg, String pem, String source, String action) {
        if (alg == null) {
            throw ProjectScope.refused(audit, caller, source, action, "key", ServiceError.INVALID_REQUEST,
                    "algorithm must be HS256, ES256 or EdDSA");
        }
        if (pem != null) {
            try {
                return new Generated(KeyMaterial.parsePublicKeyPem(pem, alg), null, null, true);
            } catch (IllegalArgumentException e) {
                throw ProjectScope.refused(audit, caller, source, action, "key", ServiceError.INVALID_REQUEST,
                        e.getMessage());
            }
        }
        return switch (alg) {
            case HS256 -> {
                String secret = KeyMaterial.newHs256Secret();
                yield new Generated(secret.getBytes(StandardCharsets.US_ASCII), secret, null, false);
            }
            case ES256, EDDSA -> {
                KeyPair pair = alg == KeyAlgorithm.ES256 ? KeyMaterial.generateEs256() : KeyMaterial.generateEd25519();
                yield new Generated(pair.getPublic().getEncoded(), null, KeyMaterial.privateKeyPem(pair.getPrivate()),
                        false);
            }
        };
    }

    static KeyInfo info(ProjectKey k) {
        return new KeyInfo(k.kid(), k.projectId(), k.algorithm(), k.state(), k.createdAt(), k.retiredAt(),
                k.revokedAt(), k.algorithm().symmetric() ? null : KeyMaterial.publicKeyPem(k.material()), k.apiScopes());
    }
}
