package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.store.Store;

/**
 * The tenant boundary for the services: a resource is visible only inside the caller's project. Anything else is
 * answered as {@link ServiceError#NOT_FOUND} (the caller cannot tell "exists elsewhere" from "does not exist") and
 * audited; the audit event does say {@code cross_project} when the resource exists in another project.
 */
final class ProjectScope {
    private ProjectScope() {
    }

    static Project project(Store store, BackendPrincipal caller) {
        return store.project(caller.projectId())
                .orElseThrow(() -> new ServiceException(ServiceError.NOT_FOUND, "project not found"));
    }

    static ServiceException notFound(AuditLog audit, BackendPrincipal caller, String source, String action,
                                     String resource, boolean crossProject) {
        audit.append(AuditEvent.refused(caller.projectId(), caller.kid(), source, action, resource,
                crossProject ? "cross_project" : "not_found"));
        return new ServiceException(ServiceError.NOT_FOUND, "not found");
    }

    static ServiceException refused(AuditLog audit, BackendPrincipal caller, String source, String action,
                                    String resource, ServiceError error, String message) {
        audit.append(AuditEvent.refused(caller.projectId(), caller.kid(), source, action, resource, error.code()));
        return new ServiceException(error, message);
    }
}
