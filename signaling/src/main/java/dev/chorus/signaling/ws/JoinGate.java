package dev.chorus.signaling.ws;

/**
 * Decides whether a join token admits a participant. Implemented over the auth layer's JoinAdmission; that layer
 * verifies, checks live state and writes the audit event (admitted or refused with a reason code).
 * May block (store access): it is called on a virtual thread.
 */
@FunctionalInterface
public interface JoinGate {
    JoinOutcome admit(String token, String sourceIp);
}
