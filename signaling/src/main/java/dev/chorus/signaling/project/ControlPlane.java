package dev.chorus.signaling.project;

import dev.chorus.signaling.admin.OperatorAuthenticator;
import dev.chorus.signaling.admin.ProjectAdminService;
import dev.chorus.signaling.audit.AuditAnchor;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.audit.RefusalAuditor;
import dev.chorus.signaling.auth.AuthFailureLimiter;
import dev.chorus.signaling.auth.AuthMetrics;
import dev.chorus.signaling.auth.BackendAuthenticator;
import dev.chorus.signaling.auth.JoinAdmission;
import dev.chorus.signaling.auth.JoinTokenIssuer;
import dev.chorus.signaling.auth.JoinTokenVerifier;
import dev.chorus.signaling.store.StoreAvailability;
import dev.chorus.signaling.store.StoreSettings;
import dev.chorus.signaling.store.Stores;
import dev.chorus.signaling.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Wires the control-plane domain for the server: one store ({@code <dataDir>/chorus.db}), one audit trail
 * ({@code <dataDir>/audit.log}) and the services on top. The HTTP/WebSocket layer only needs this object.
 * Set {@link #events(ProjectEvents)} once the session registry exists; until then events are dropped.
 */
public final class ControlPlane implements AutoCloseable {
    public static final String DB_FILE = Stores.SQLITE_FILE;
    public static final String AUDIT_FILE = "audit.log";
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);
    /** Refused joins (and refreshes) per source per minute before further ones are refused unverified. */
    public static final int JOIN_FAILURES_PER_MINUTE = 30;

    private final Store store;
    private final StoreAvailability availability;
    private final AuditLog audit;
    private final AuthMetrics metrics;
    private final RefusalAuditor refusals;
    private final JoinTokenVerifier verifier;
    private final JoinTokenIssuer issuer;
    private final JoinAdmission admission;
    private final BackendAuthenticator authenticator;
    private final KeyService keys;
    private final OperatorAuthenticator operatorAuth;
    private final ProjectAdminService projects;
    private final RoomService rooms;
    private final RevocationService revocations;
    private final DevProjectBootstrap devBootstrap;
    private final AclService acl;
    private final PermissionService permissions;
    private final WebhookService webhooks;
    private volatile ProjectEvents listener = ProjectEvents.NONE;

    public ControlPlane(Store store, AuditLog audit, String audience, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.availability = StoreAvailability.start(store, java.time.Duration.ofSeconds(1));
        this.audit = audit;
        this.metrics = new AuthMetrics(registry);
        ProjectEvents relay = new Relay();
        this.verifier = new JoinTokenVerifier(store, audience, clock, DEFAULT_LEEWAY);
        this.issuer = new JoinTokenIssuer(store, audience, clock, audit, metrics);
        this.refusals = RefusalAuditor.defaults(audit, clock);
        this.admission = new JoinAdmission(verifier, store, audit, metrics, clock, refusals,
                new AuthFailureLimiter(JOIN_FAILURES_PER_MINUTE, Duration.ofMinutes(1), 10_000, clock));
        // one failure budget per source for backend keys and the operator secret alike
        AuthFailureLimiter limiter = AuthFailureLimiter.defaults(clock);
        this.authenticator = new BackendAuthenticator(store, audience, clock, limiter, audit, metrics);
        this.operatorAuth = new OperatorAuthenticator(store, limiter, audit);
        this.keys = new KeyService(store, audit, clock, relay);
        this.projects = new ProjectAdminService(store, audit, clock, keys, relay);
        this.rooms = new RoomService(store, audit, clock, relay);
        this.revocations = new RevocationService(store, audit, clock, relay);
        this.devBootstrap = new DevProjectBootstrap(store, audit, clock);
        this.acl = new AclService(store, audit, clock, relay);
        this.permissions = new PermissionService(store, audit, clock, relay);
        this.webhooks = new WebhookService(store, audit, clock);
    }

    /** Opens (or creates) the store and audit trail under {@code dataDir}. */
    public static ControlPlane open(Path dataDir, String audience, Clock clock, MeterRegistry registry) {
        return open(StoreSettings.SQLITE, dataDir, audience, clock, registry);
    }

    /** Opens the store {@code storeSettings} names (SQLite in the data dir, or PostgreSQL) and the audit trail. */
    public static ControlPlane open(StoreSettings storeSettings, Path dataDir, String audience, Clock clock,
                                    MeterRegistry registry) {
        return open(storeSettings, dataDir, audience, clock, registry,
                dev.chorus.signaling.store.AuditAnchorRepository.DEFAULT_CHAIN);
    }

    /**
     * @param auditChain the chain this node's audit log anchors under in the store: the node id in a cluster (each
     *                   node keeps its own chain beside it, docs/cluster.md "Audit"), the default chain alone
     */
    public static ControlPlane open(StoreSettings storeSettings, Path dataDir, String audience, Clock clock,
                                    MeterRegistry registry, String auditChain) {
        Store store = Stores.open(storeSettings, dataDir);
        // keyed chain (audit.key next to the log), head anchored in the store
        AuditLog audit = AuditLog.open(dataDir.resolve(AUDIT_FILE), clock, AuditAnchor.in(store, clock, auditChain));
        return new ControlPlane(store, audit, audience, clock, registry);
    }

    public void events(ProjectEvents events) {
        this.listener = events == null ? ProjectEvents.NONE : events;
    }

    /** The listener the services' events go to now (a cluster relay wraps it, docs/cluster.md). */
    public ProjectEvents events() {
        return listener;
    }

    public Store store() { return store; }
    /** Whether the store answers now (readiness, the WebSocket upgrade); probed once a second. */
    public StoreAvailability availability() { return availability; }
    public AuditLog audit() { return audit; }
    /** Rate-limited auditing of refusals (the WebSocket's early refusals go through it too). */
    public RefusalAuditor refusals() { return refusals; }
    public AuthMetrics metrics() { return metrics; }
    public JoinTokenVerifier verifier() { return verifier; }
    public JoinTokenIssuer issuer() { return issuer; }
    public JoinAdmission admission() { return admission; }
    public BackendAuthenticator authenticator() { return authenticator; }
    public KeyService keys() { return keys; }
    /** The operator's credential check (admin API). */
    public OperatorAuthenticator operatorAuth() { return operatorAuth; }
    /** The operator's project administration (admin API, CLI). */
    public ProjectAdminService projects() { return projects; }
    public RoomService rooms() { return rooms; }
    public RevocationService revocations() { return revocations; }
    public DevProjectBootstrap devBootstrap() { return devBootstrap; }
    public AclService acl() { return acl; }
    public PermissionService permissions() { return permissions; }
    public WebhookService webhooks() { return webhooks; }

    /**
     * Dev mode (the server's {@code --dev}): ACL mode may be switched off and the PII guard only warns. Off by
     * default, so a production control plane never relaxes either.
     */
    public void devMode(boolean dev) {
        permissions.devMode(dev);
        admission.devMode(dev);
        issuer.devMode(dev);
        // a dev data dir bootstrapped before access policies existed gets the dev policy (ACLs off) too
        if (dev && store.project(DevProjectBootstrap.DEV_PROJECT_ID).isPresent()
                && store.accessPolicy(DevProjectBootstrap.DEV_PROJECT_ID).isEmpty()) {
            store.putAccessPolicy(DevProjectBootstrap.DEV_PROJECT_ID, DevProjectBootstrap.DEV_ACCESS_POLICY);
        }
    }

    @Override
    public void close() {
        availability.close();
        try {
            audit.close();
        } finally {
            store.close();
        }
    }

    /** This node's changes: its cached verification reads first (VerificationCache), then the listener. */
    private final class Relay implements ProjectEvents {
        @Override public void keyRevoked(String p, String kid) {
            verifier.cache().keyRevoked(p, kid);
            listener.keyRevoked(p, kid);
        }
        @Override public void tokenRevoked(String p, String jti) {
            verifier.cache().tokenRevoked(p, jti);
            listener.tokenRevoked(p, jti);
        }
        @Override public void subjectRevoked(String p, String s, Instant t) {
            verifier.cache().subjectRevoked(p, s, t);
            listener.subjectRevoked(p, s, t);
        }
        @Override public void roomClosed(String p, String r) {
            verifier.cache().roomClosed(p, r);
            listener.roomClosed(p, r);
        }
        @Override public void aclChanged(String p, String s, String pub) { listener.aclChanged(p, s, pub); }
        @Override public void permissionsChanged(String p, String r, String i) { listener.permissionsChanged(p, r, i); }
        @Override public void accessPolicyChanged(String p) { listener.accessPolicyChanged(p); }
    }
}
