package dev.chorus.signaling.store;

import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ScopeOverride;
import java.util.List;

/** Scopes taken away from an identity in one room while its token stays valid. */
public interface ScopeOverrideRepository {

    /** Records that {@code scope} is taken away from the identity in the room (idempotent). */
    void putScopeOverride(ScopeOverride override);

    /** Restores a scope taken away; returns false if it was not taken away. */
    boolean deleteScopeOverride(String projectId, String roomId, String identity, Scope scope);

    /** Scope overrides of one room, oldest first. */
    List<ScopeOverride> scopeOverrides(String projectId, String roomId);
}
