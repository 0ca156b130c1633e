package dev.chorus.signaling.store;

import dev.chorus.signaling.project.AclEntry;
import java.util.List;

/** Who may receive whose media: ACL grants and revocations of a project. */
public interface AclRepository {

    /**
     * Inserts or replaces the ACL entry for (project, subscriber, publisher, kind, trackId): a revocation replaces a
     * grant for the same key and vice versa.
     */
    void putAclEntry(AclEntry entry);

    /** Every ACL entry of the project, oldest first. */
    List<AclEntry> aclEntries(String projectId);
}
