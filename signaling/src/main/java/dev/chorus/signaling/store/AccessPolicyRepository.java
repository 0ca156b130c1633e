package dev.chorus.signaling.store;

import dev.chorus.signaling.project.AccessPolicy;
import java.util.Optional;

/** The per-project access policy (ACL mode, source ranges, session limits, hours). */
public interface AccessPolicyRepository {

    /** The project's access policy, or empty for {@link AccessPolicy#DEFAULT}. */
    Optional<AccessPolicy> accessPolicy(String projectId);

    void putAccessPolicy(String projectId, AccessPolicy policy);
}
