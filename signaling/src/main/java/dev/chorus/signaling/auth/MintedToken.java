package dev.chorus.signaling.auth;

import java.time.Instant;

/** A freshly minted join token. {@link #toString()} does not print the token. */
public record MintedToken(String token, String jti, String kid, Instant issuedAt, Instant expiresAt) {
    @Override
    public String toString() {
        return "MintedToken[jti=" + jti + ", kid=" + kid + ", exp=" + expiresAt + ", token=<redacted>]";
    }
}
