package dev.chorus.signaling.project;

import java.time.Instant;
import java.util.Objects;

/**
 * A scope taken away from one identity in one room by the backend, live (e.g. "no more camera for this user").
 * Overrides only take away: effective rights are token scopes ∩ project ceiling minus these. Restoring deletes the
 * override; it never grants what the token did not.
 */
public record ScopeOverride(String projectId, String roomId, String identity, Scope scope, Instant at) {
    public ScopeOverride {
        Objects.requireNonNull(projectId);
        Objects.requireNonNull(roomId);
        Objects.requireNonNull(identity);
        Objects.requireNonNull(scope);
        Objects.requireNonNull(at);
    }
}
