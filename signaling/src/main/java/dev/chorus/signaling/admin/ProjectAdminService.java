package dev.chorus.signaling.admin;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.CreatedKey;
import dev.chorus.signaling.project.Identifiers;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.KeyInfo;
import dev.chorus.signaling.project.KeyService;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectEvents;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ServiceError;
import dev.chorus.signaling.project.ServiceException;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's view of the deployment: projects (create, list, show, update, delete), their keys, and the
 * operator credential itself. Every change and every refusal is audited with the acting operator ({@code actor}:
 * {@code operator} on the admin API, {@code local-cli} on the host) and its source.
 */
public final class ProjectAdminService {
    public static final String OPERATOR_INIT = "operator.init";

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final KeyService keys;
    private final ProjectEvents events;

    public ProjectAdminService(Store store, AuditLog audit, Clock clock, KeyService keys, ProjectEvents events) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.keys = keys;
        this.events = events;
    }

    /** Who acts and from where (for the audit trail). */
    public record Actor(String name, String source) {}

    // ---- operator credential ----

    public boolean operatorInitialized() {
        return store.operatorCredential().isPresent();
    }

    /**
     * Sets the operator secret (hashed). Refused when one exists unless {@code replace}: replacing is a deliberate
     * act (`chorus admin init --replace`).
     */
    public void initOperator(Actor actor, String secret, boolean replace) {
        try {
            OperatorCredential.checkSecret(secret);
        } catch (IllegalArgumentException e) {
            throw refused(actor, OPERATOR_INIT, "operator", ServiceError.INVALID_REQUEST, e.getMessage());
        }
        boolean existed = store.operatorCredential().isPresent();
        if (existed && !replace) {
            throw refused(actor, OPERATOR_INIT, "operator", ServiceError.CONFLICT,
                    "an operator credential exists already (use --replace to change it)");
        }
        store.putOperatorCredential(OperatorCredential.create(secret, clock.instant()));
        audit.append(AuditEvent.success(null, actor.name(), actor.source(), OPERATOR_INIT, "operator",
                Map.of("replaced", Boolean.toString(existed), "kdf", OperatorCredential.PBKDF2_SHA256)));
    }

    // ---- projects ----

    public List<Map<String, Object>> list() {
        return store.projects().stream().map(this::view).toList();
    }

    public Map<String, Object> show(Actor actor, String projectId) {
        return view(existing(actor, AuditAction.PROJECT_GET, projectId));
    }

    public Map<String, Object> create(Actor actor, String projectId, ProjectSettings settings) {
        if (!Identifiers.isProjectId(projectId)) {
            throw refused(actor, AuditAction.PROJECT_CREATE, "project", ServiceError.INVALID_REQUEST,
                    "project id must be 1-64 characters: lower-case letters, digits, '-' or '_', starting with a"
                            + " letter or digit");
        }
        Instant now = clock.instant();
        Project base = Project.withDefaults(projectId, settings.name() == null ? projectId : settings.name(), now);
        Project p = apply(actor, AuditAction.PROJECT_CREATE, base, settings);
        AccessPolicy policy = policy(AccessPolicy.DEFAULT, settings);
        try {
            store.createProject(p);
        } catch (StoreException.Conflict e) {
            throw refused(actor, AuditAction.PROJECT_CREATE, "project:" + projectId, ServiceError.CONFLICT,
                    "a project with this id exists");
        }
        store.putAccessPolicy(projectId, policy);
        audit.append(AuditEvent.success(projectId, actor.name(), actor.source(), AuditAction.PROJECT_CREATE,
                "project:" + projectId, changes(p, policy)));
        return view(p);
    }

    public Map<String, Object> update(Actor actor, String projectId, ProjectSettings settings) {
        Project current = existing(actor, AuditAction.PROJECT_UPDATE, projectId);
        if (settings.changesNothing()) {
            throw refused(actor, AuditAction.PROJECT_UPDATE, "project:" + projectId, ServiceError.INVALID_REQUEST,
                    "nothing to change");
        }
        Project next = apply(actor, AuditAction.PROJECT_UPDATE, current, settings);
        AccessPolicy currentPolicy = store.accessPolicy(projectId).orElse(AccessPolicy.DEFAULT);
        AccessPolicy nextPolicy = policy(currentPolicy, settings);
        store.updateProject(next);
        store.putAccessPolicy(projectId, nextPolicy);
        audit.append(AuditEvent.success(projectId, actor.name(), actor.source(), AuditAction.PROJECT_UPDATE,
                "project:" + projectId, changes(next, nextPolicy)));
        if (!nextPolicy.equals(currentPolicy)) events.accessPolicyChanged(projectId);
        return view(next);
    }

    /** Deletes the project with its keys and records; sessions admitted with its keys are closed. */
    public void delete(Actor actor, String projectId) {
        existing(actor, AuditAction.PROJECT_DELETE, projectId);
        List<ProjectKey> projectKeys = store.keys(projectId);
        store.deleteProject(projectId);
        audit.append(AuditEvent.success(projectId, actor.name(), actor.source(), AuditAction.PROJECT_DELETE,
                "project:" + projectId, Map.of("keys", Integer.toString(projectKeys.size()))));
        for (ProjectKey k : projectKeys) events.keyRevoked(projectId, k.kid());
    }

    // ---- keys of a project ----

    public List<KeyInfo> keys(Actor actor, String projectId) {
        existing(actor, AuditAction.KEY_LIST, projectId);
        return keys.list(principal(actor, projectId));
    }

    /** Creates a key of the project with exactly {@code apiScopes} (the operator may grant any). */
    public CreatedKey createKey(Actor actor, String projectId, KeyAlgorithm algorithm, String publicKeyPem,
                                Set<ApiScope> apiScopes) {
        existing(actor, AuditAction.KEY_CREATE, projectId);
        return keys.create(principal(actor, projectId), algorithm, publicKeyPem, apiScopes, actor.source());
    }

    /** The operator acting inside one project: holds every API scope, audited under the operator's name. */
    public static BackendPrincipal principal(Actor actor, String projectId) {
        return new BackendPrincipal(projectId, actor.name(), KeyAlgorithm.HS256, BackendPrincipal.Method.API_KEY,
                ApiScope.all());
    }

    // ---- helpers ----

    private Project existing(Actor actor, String action, String projectId) {
        if (!Identifiers.isProjectId(projectId)) {
            throw refused(actor, action, "project", ServiceError.NOT_FOUND, "project not found");
        }
        return store.project(projectId).orElseThrow(() -> refused(actor, action, "project:" + projectId,
                ServiceError.NOT_FOUND, "project not found"));
    }

    private Project apply(Actor actor, String action, Project p, ProjectSettings s) {
        try {
            Project out = p;
            if (s.name() != null) {
                if (s.name().isBlank() || s.name().length() > 128) throw new IllegalArgumentException("name must be 1-128 characters");
                out = new Project(out.id(), s.name(), out.maxTokenTtl(), out.maxParticipantsPerRoom(), out.maxRooms(),
                        out.scopeCeiling(), out.roles(), out.hs256JoinTokens(), out.autoCreateRooms(), out.createdAt());
            }
            if (s.maxTokenTtlSeconds() != null) {
                if (s.maxTokenTtlSeconds() <= 0 || s.maxTokenTtlSeconds() > Project.MAX_TOKEN_TTL.toSeconds()) {
                    throw new IllegalArgumentException("maxTokenTtlSeconds must be in 1.." + Project.MAX_TOKEN_TTL.toSeconds());
                }
                out = out.withMaxTokenTtl(Duration.ofSeconds(s.maxTokenTtlSeconds()));
            }
            if (s.maxRooms() != null || s.maxParticipantsPerRoom() != null) {
                int rooms = s.maxRooms() != null ? s.maxRooms() : out.maxRooms();
                int participants = s.maxParticipantsPerRoom() != null ? s.maxParticipantsPerRoom()
                        : out.maxParticipantsPerRoom();
                if (rooms < 1 || rooms > ProjectSettings.MAX_LIMIT || participants < 1
                        || participants > ProjectSettings.MAX_LIMIT) {
                    throw new IllegalArgumentException("maxRooms and maxParticipantsPerRoom must be in 1.."
                            + ProjectSettings.MAX_LIMIT);
                }
                out = out.withLimits(participants, rooms);
            }
            if (s.scopeCeiling() != null) {
                Set<Scope> ceiling = EnumSet.noneOf(Scope.class);
                for (String w : s.scopeCeiling()) {
                    ceiling.add(Scope.fromWire(w).orElseThrow(() -> new IllegalArgumentException(
                            "unknown scope in scopeCeiling (see docs/control-plane.md for the scope names)")));
                }
                out = out.withScopeCeiling(ceiling);
            }
            if (s.hs256JoinTokens() != null) out = out.withHs256JoinTokens(s.hs256JoinTokens());
            if (s.autoCreateRooms() != null) out = out.withAutoCreateRooms(s.autoCreateRooms());
            return out;
        } catch (IllegalArgumentException e) {
            throw refused(actor, action, "project:" + p.id(), ServiceError.INVALID_REQUEST, e.getMessage());
        }
    }

    private static AccessPolicy policy(AccessPolicy current, ProjectSettings s) {
        return new AccessPolicy(s.aclMode() != null ? s.aclMode() : current.aclMode(), current.allowedCidrs(),
                current.maxSessionsPerIdentity(), current.hoursUtc(),
                s.allowPiiIdentities() != null ? s.allowPiiIdentities() : current.allowPiiIdentities());
    }

    private static Map<String, String> changes(Project p, AccessPolicy a) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("scope_ceiling", Scope.toWire(p.scopeCeiling()));
        m.put("max_token_ttl_s", Long.toString(p.maxTokenTtl().toSeconds()));
        m.put("max_rooms", Integer.toString(p.maxRooms()));
        m.put("max_participants", Integer.toString(p.maxParticipantsPerRoom()));
        m.put("acl_mode", Boolean.toString(a.aclMode()));
        m.put("allow_pii", Boolean.toString(a.allowPiiIdentities()));
        m.put("hs256_join_tokens", Boolean.toString(p.hs256JoinTokens()));
        m.put("auto_create_rooms", Boolean.toString(p.autoCreateRooms()));
        return m;
    }

    private ServiceException refused(Actor actor, String action, String resource, ServiceError error, String message) {
        audit.append(AuditEvent.refused(resource.startsWith("project:") ? resource.substring(8) : null, actor.name(),
                actor.source(), action, resource, error.code()));
        return new ServiceException(error, message);
    }

    /** The JSON view of a project (admin API, CLI {@code --json}). */
    public Map<String, Object> view(Project p) {
        AccessPolicy a = store.accessPolicy(p.id()).orElse(AccessPolicy.DEFAULT);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("scopeCeiling", p.scopeCeiling().stream().sorted().map(Scope::wire).toList());
        m.put("maxTokenTtlSeconds", p.maxTokenTtl().toSeconds());
        m.put("aclMode", a.aclMode());
        m.put("allowPiiIdentities", a.allowPiiIdentities());
        m.put("maxRooms", p.maxRooms());
        m.put("maxParticipantsPerRoom", p.maxParticipantsPerRoom());
        m.put("hs256JoinTokens", p.hs256JoinTokens());
        m.put("autoCreateRooms", p.autoCreateRooms());
        m.put("createdAt", p.createdAt().toString());
        return m;
    }
}
