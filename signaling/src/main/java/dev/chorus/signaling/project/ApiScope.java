package dev.chorus.signaling.project;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a backend API key may do on the HTTP API: one scope per route group, deny by default (a key holds exactly
 * the scopes it was created with; a route refuses a key without its scope with 403 {@code missing_scope}). Distinct
 * from {@link Scope}, the rights a join token grants a participant.
 */
public enum ApiScope {
    /** {@code POST /v1/tokens}. */
    TOKENS_MINT("tokens:mint"),
    /** {@code /v1/keys…}: list, create, rotate, retire, revoke the project's keys. */
    KEYS_ADMIN("keys:admin"),
    /** {@code /v1/rooms…}: rooms and their participants. */
    ROOMS_ADMIN("rooms:admin"),
    /** {@code /v1/revocations/…}: token and subject revocations. */
    REVOCATIONS_ADMIN("revocations:admin"),
    /** {@code /v1/acl…}, {@code /v1/rooms/{room}/permissions}, {@code /v1/access-policy}: live authorization. */
    ACL_ADMIN("acl:admin"),
    /** {@code /v1/webhooks…}: the project's webhook endpoints (docs/webhooks.md). */
    WEBHOOKS_ADMIN("webhooks:admin"),
    /** {@code GET /v1/audit}: the project's own audit events. */
    AUDIT_READ("audit:read");

    private final String wire;

    ApiScope(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<ApiScope> fromWire(String text) {
        return WireNames.lookup(values(), ApiScope::wire, text);
    }

    public static Set<ApiScope> all() {
        return EnumSet.allOf(ApiScope.class);
    }

    /** Space-separated, declaration order (the store's and the audit trail's form). */
    public static String toWire(Set<ApiScope> scopes) {
        return WireNames.join(values(), ApiScope::wire, scopes);
    }

    /** Parses the space-separated form; unknown names are an {@link IllegalArgumentException}. */
    public static Set<ApiScope> parse(String wire) {
        Set<ApiScope> out = EnumSet.noneOf(ApiScope.class);
        for (String w : wire.trim().split("[ ,]+")) {
            if (w.isEmpty()) continue;
            out.add(fromWire(w).orElseThrow(() -> new IllegalArgumentException("unknown API scope: " + w)));
        }
        return out;
    }
}
