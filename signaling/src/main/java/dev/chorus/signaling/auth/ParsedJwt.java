package dev.chorus.signaling.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A compact JWS that passed strict parsing: the three base64url parts as received and the decoded header and
 * payload objects. Nothing in here has been authenticated yet. {@link #toString()} does not print the token.
 */
record ParsedJwt(String token, ObjectNode header, ObjectNode payload) {
    @Override
    public String toString() {
        return "ParsedJwt[<redacted>]";
    }
}
