package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ACL grants and revocations of a project, for the HTTP API: "subscriber may (not) receive publisher's media",
 * optionally narrowed to a track kind or one track. Durable (survive restarts), project-scoped (an entry names
 * identities inside the caller's project only), audited ({@code acl_granted}/{@code acl_revoked} with the entry as
 * {@code changes}; identities appear as hashes), and announced through {@link ProjectEvents#aclChanged} so live
 * sessions are re-evaluated at once.
 */
public final class AclService {
    private static final Pattern TRACK_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final ProjectEvents events;

    public AclService(Store store, AuditLog audit, Clock clock, ProjectEvents events) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    public AclEntry grant(BackendPrincipal caller, String subscriber, String publisher, String kind, String trackId,
                          String source) {
        return put(caller, subscriber, publisher, kind, trackId, AclEntry.Effect.ALLOW, source);
    }

    /** Takes a grant away; also overrides a token policy's allow for the same pair until a later grant. */
    public AclEntry revoke(BackendPrincipal caller, String subscriber, String publisher, String kind, String trackId,
                           String source) {
        return put(caller, subscriber, publisher, kind, trackId, AclEntry.Effect.DENY, source);
    }

    public List<AclEntry> list(BackendPrincipal caller) {
        return store.aclEntries(ProjectScope.project(store, caller).id());
    }

    private AclEntry put(BackendPrincipal caller, String subscriber, String publisher, String kind, String trackId,
                         AclEntry.Effect effect, String source) {
        Project project = ProjectScope.project(store, caller);
        String action = effect == AclEntry.Effect.ALLOW ? AuditAction.ACL_GRANTED : AuditAction.ACL_REVOKED;
        if (!Identifiers.isSubject(subscriber) || !Identifiers.isSubject(publisher)) {
            throw ProjectScope.refused(audit, caller, source, action, "acl", ServiceError.INVALID_REQUEST,
                    "subscriber and publisher must be identities (1-256 printable characters, NFC)");
        }
        if (kind != null && !kind.isEmpty() && !AclEntry.KINDS.contains(kind)) {
            throw ProjectScope.refused(audit, caller, source, action, "acl", ServiceError.INVALID_REQUEST,
                    "kind must be audio, video or screen");
        }
        if (trackId != null && !trackId.isEmpty() && !TRACK_ID.matcher(trackId).matches()) {
            throw ProjectScope.refused(audit, caller, source, action, "acl", ServiceError.INVALID_REQUEST,
                    "trackId must be 1-64 characters [A-Za-z0-9_.:-]");
        }
        AclEntry e = new AclEntry(project.id(), subscriber, publisher, kind, trackId, effect, clock.instant());
        store.putAclEntry(e);
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("subscriber", AuditEvent.identityHash(project.id(), subscriber));
        changes.put("publisher", AuditEvent.identityHash(project.id(), publisher));
        changes.put("kind", e.kind().isEmpty() ? "*" : e.kind());
        changes.put("track", e.trackId().isEmpty() ? "*" : e.trackId());
        changes.put("effect", effect.wire());
        audit.append(AuditEvent.success(project.id(), caller.kid(), source, action, "acl", changes));
        events.aclChanged(project.id(), subscriber, publisher);
        return e;
    }
}
