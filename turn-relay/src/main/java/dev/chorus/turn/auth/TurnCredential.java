package dev.chorus.turn.auth;

import java.util.List;

/**
 * A time-limited TURN credential handed to one participant. {@code password} is a secret: never log it
 * ({@link #toString} leaves it out).
 */
public record TurnCredential(String username, String password, long expiresAtEpochSeconds, List<String> urls) {
    public TurnCredential {
        urls = List.copyOf(urls);
    }

    @Override
    public String toString() {
        return "TurnCredential[username=" + username + ", expiresAt=" + expiresAtEpochSeconds + ", urls=" + urls + "]";
    }
}
