package dev.chorus.signaling.audit;

/** Action names used in the audit trail (stable: tools and alerts match on them). */
public final class AuditAction {
    public static final String TOKEN_MINT = "token.mint";
    public static final String JOIN = "join";
    public static final String BACKEND_AUTH = "backend.auth";
    public static final String KEY_CREATE = "key.create";
    public static final String KEY_LIST = "key.list";
    public static final String KEY_ROTATE = "key.rotate";
    public static final String KEY_RETIRE = "key.retire";
    public static final String KEY_REVOKE = "key.revoke";
    public static final String ROOM_CREATE = "room.create";
    public static final String ROOM_GET = "room.get";
    public static final String ROOM_CLOSE = "room.close";
    public static final String REVOKE_TOKEN = "revoke.token";
    public static final String REVOKE_SUBJECT = "revoke.subject";
    public static final String PROJECT_CREATE = "project.create";
    /** Operator actions on projects (docs/control-plane.md, "Operator and projects"). */
    public static final String PROJECT_GET = "project.get";
    public static final String PROJECT_UPDATE = "project.update";
    public static final String PROJECT_DELETE = "project.delete";
    /** A backend key refused on an API route for lacking the route's API scope. */
    public static final String API_AUTHORIZE = "api.authorize";
    public static final String AUDIT_RECOVERED = "audit.recovered";
    /** At start the log ended before its anchored head or differed from it: cut, rolled back or replaced. */
    public static final String AUDIT_ANCHOR_MISMATCH = "audit.anchor_mismatch";
    /** Live authorization (docs/live-authorization.md). */
    public static final String ACL_GRANTED = "acl_granted";
    public static final String ACL_REVOKED = "acl_revoked";
    public static final String PERMISSION_CHANGED = "permission_changed";
    public static final String ACCESS_POLICY_CHANGED = "access_policy_changed";
    /** A refresh token accepted or refused for a live session. */
    public static final String REFRESH = "refresh";
    /** A dropped session resumed on a new connection, or a resume refused (docs/protocol.md, "Session resume"). */
    public static final String SESSION_RESUME = "session.resume";
    /** A live session ended by the server because its authorization ended (expiry, revocation, ...). */
    public static final String SESSION_REVOKED = "session.revoked";
    /** Webhook endpoints added and removed through the API (docs/webhooks.md). */
    public static final String WEBHOOK_CREATE = "webhook.create";
    public static final String WEBHOOK_REMOVE = "webhook.remove";

    private AuditAction() {
    }
}
