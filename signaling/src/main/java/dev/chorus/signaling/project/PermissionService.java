package dev.chorus.signaling.project;

import dev.chorus.common.net.AddressRange;
import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Live permission changes for the HTTP API: take a scope away from (or restore it to) one identity in one room,
 * and set the project's {@link AccessPolicy} (ACL mode, ABAC conditions, PII opt-out). Durable, project-scoped,
 * audited ({@code permission_changed} / {@code access_policy_changed} with {@code changes}) and announced through
 * {@link ProjectEvents} so live sessions are re-evaluated at once.
 */
public final class PermissionService {
    private static final Pattern HOURS = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]");

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final ProjectEvents events;
    private volatile boolean devMode;

    public PermissionService(Store store, AuditLog audit, Clock clock, ProjectEvents events) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    void devMode(boolean dev) {
        this.devMode = dev;
    }

    /**
     * Applies {@code changes}: scope → false takes it away, true restores it. Returns the scopes now taken away from
     * the identity in the room.
     */
    public List<Scope> change(BackendPrincipal caller, String roomId, String identity, Map<Scope, Boolean> changes,
                              String source) {
        Project project = ProjectScope.project(store, caller);
        if (store.room(project.id(), roomId).isEmpty()) {
            throw ProjectScope.notFound(audit, caller, source, AuditAction.PERMISSION_CHANGED, "room:" + roomId, false);
        }
        if (!Identifiers.isSubject(identity) || changes.isEmpty()) {
            throw ProjectScope.refused(audit, caller, source, AuditAction.PERMISSION_CHANGED, "room:" + roomId,
                    ServiceError.INVALID_REQUEST, "an identity and at least one scope change are required");
        }
        Instant now = clock.instant();
        Map<String, String> audited = new LinkedHashMap<>();
        audited.put("identity", AuditEvent.identityHash(project.id(), identity));
        for (Map.Entry<Scope, Boolean> c : changes.entrySet()) {
            if (c.getValue()) {
                store.deleteScopeOverride(project.id(), roomId, identity, c.getKey());
                audited.put(c.getKey().wire(), "restored");
            } else {
                store.putScopeOverride(new ScopeOverride(project.id(), roomId, identity, c.getKey(), now));
                audited.put(c.getKey().wire(), "revoked");
            }
        }
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, AuditAction.PERMISSION_CHANGED,
                "room:" + roomId, audited));
        events.permissionsChanged(project.id(), roomId, identity);
        return takenAway(project.id(), roomId, identity);
    }

    public List<ScopeOverride> overrides(BackendPrincipal caller, String roomId, String source) {
        Project project = ProjectScope.project(store, caller);
        if (store.room(project.id(), roomId).isEmpty()) {
            throw ProjectScope.notFound(audit, caller, source, AuditAction.PERMISSION_CHANGED, "room:" + roomId, false);
        }
        return store.scopeOverrides(project.id(), roomId);
    }

    private List<Scope> takenAway(String projectId, String roomId, String identity) {
        List<Scope> out = new ArrayList<>();
        for (ScopeOverride o : store.scopeOverrides(projectId, roomId)) {
            if (o.identity().equals(identity)) out.add(o.scope());
        }
        return out;
    }

    public AccessPolicy accessPolicy(BackendPrincipal caller) {
        return store.accessPolicy(ProjectScope.project(store, caller).id()).orElse(AccessPolicy.DEFAULT);
    }

    /** Validates and stores the policy. ACL mode off is refused unless the control plane runs in dev mode. */
    public AccessPolicy setAccessPolicy(BackendPrincipal caller, AccessPolicy policy, String source) {
        Project project = ProjectScope.project(store, caller);
        String action = AuditAction.ACCESS_POLICY_CHANGED;
        if (!policy.aclMode() && !devMode) {
            throw ProjectScope.refused(audit, caller, source, action, "project:" + project.id(),
                    ServiceError.INVALID_REQUEST, "ACL mode can only be switched off in dev mode");
        }
        List<String> canonical = new ArrayList<>();
        for (String c : policy.allowedCidrs()) {
            AddressRange parsed = AddressRange.tryParse(c);
            if (parsed == null) {
                throw ProjectScope.refused(audit, caller, source, action, "project:" + project.id(),
                        ServiceError.INVALID_REQUEST, "allowedCidrs must be address/prefix literals");
            }
            canonical.add(parsed.toString());
        }
        if (policy.hoursUtc() != null && !HOURS.matcher(policy.hoursUtc()).matches()) {
            throw ProjectScope.refused(audit, caller, source, action, "project:" + project.id(),
                    ServiceError.INVALID_REQUEST, "hoursUtc must be HH:MM-HH:MM");
        }
        AccessPolicy stored = new AccessPolicy(policy.aclMode(), canonical, policy.maxSessionsPerIdentity(),
                policy.hoursUtc(), policy.allowPiiIdentities(), policy.replaceSameTokenSession());
        store.putAccessPolicy(project.id(), stored);
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("acl_mode", String.valueOf(stored.aclMode()));
        changes.put("allowed_cidrs", String.join(" ", stored.allowedCidrs()));
        changes.put("replace_same_token", String.valueOf(stored.replaceSameTokenSession()));
        changes.put("max_sessions", String.valueOf(stored.maxSessionsPerIdentity()));
        changes.put("hours_utc", String.valueOf(stored.hoursUtc()));
        changes.put("allow_pii", String.valueOf(stored.allowPiiIdentities()));
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, action, "project:" + project.id(),
                changes));
        events.accessPolicyChanged(project.id());
        return stored;
    }
}
