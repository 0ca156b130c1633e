package dev.chorus.signaling.store;

import dev.chorus.signaling.admin.OperatorCredential;
import java.util.Optional;

/** The operator (deployment owner, separate from every project) and its one credential. */
public interface OperatorCredentialRepository {

    /** The operator credential's KDF hash, or empty before {@code chorus admin init}. */
    Optional<OperatorCredential> operatorCredential();

    /** Sets (or replaces) the operator credential. */
    void putOperatorCredential(OperatorCredential credential);
}
