package dev.chorus.signaling.project;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The closed set of rights a join token can carry (TOKENS.md). Anything not listed here is unknown and refused:
 * there are no wildcards and no prefixes, so a new right must be added here before any token can use it.
 */
public enum Scope {
    ROOM_JOIN("room:join"),
    PUBLISH_AUDIO("media:publish:audio"),
    PUBLISH_VIDEO("media:publish:video"),
    PUBLISH_SCREEN("media:publish:screen"),
    SUBSCRIBE("media:subscribe"),
    DATA_PUBLISH("data:publish"),
    DATA_SUBSCRIBE("data:subscribe"),
    META_UPDATE_SELF("meta:update:self"),
    ROOM_ADMIN("room:admin");

    private final String wire;

    Scope(String wire) {
        this.wire = wire;
    }

    /** The exact text used in tokens and the API, e.g. {@code media:publish:audio}. */
    public String wire() {
        return wire;
    }

    /** Exact, case-sensitive lookup; no normalisation, so {@code ROOM:JOIN} is unknown. */
    public static Optional<Scope> fromWire(String text) {
        return WireNames.lookup(values(), Scope::wire, text);
    }

    public static Set<Scope> all() {
        return EnumSet.allOf(Scope.class);
    }

    /** Space-separated wire form in declaration order (stable, so tests and audit lines are deterministic). */
    public static String toWire(Set<Scope> scopes) {
        return WireNames.join(values(), Scope::wire, scopes);
    }
}
