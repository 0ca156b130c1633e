package dev.chorus.signaling.auth;

import java.util.List;
import java.util.Objects;

/**
 * The parsed {@code policy} claim: whom this participant may subscribe to and how much it may send.
 * Selectors are {@code grp:<group>} or {@code sub:<identity>}. An empty allow list with ACLs on means "nobody";
 * {@link #UNRESTRICTED} (no policy claim) leaves the decision to the room ACL.
 *
 * @param maxTracks published tracks at most, or -1 for "no limit from the token"
 * @param maxKbps   total publish bitrate at most, or -1 for "no limit from the token"
 * @param e2eeRequired {@code "e2ee": "required"}: this participant may publish only media it declares end-to-end
 *                  encrypted (docs/e2ee.md; the server cannot verify the encryption, it enforces the declaration)
 */
public record PeerPolicy(List<String> subscribeAllow, List<String> subscribeDeny, int maxTracks, int maxKbps,
                         boolean present, boolean e2eeRequired) {
    public static final PeerPolicy UNRESTRICTED = new PeerPolicy(List.of(), List.of(), -1, -1, false);

    public PeerPolicy(List<String> subscribeAllow, List<String> subscribeDeny, int maxTracks, int maxKbps,
                      boolean present) {
        this(subscribeAllow, subscribeDeny, maxTracks, maxKbps, present, false);
    }

    /** The same policy, present, with end-to-end encryption of its publishing required (or not). */
    public PeerPolicy withE2eeRequired(boolean required) {
        return new PeerPolicy(subscribeAllow, subscribeDeny, maxTracks, maxKbps, true, required);
    }

    public PeerPolicy {
        subscribeAllow = List.copyOf(Objects.requireNonNull(subscribeAllow));
        subscribeDeny = List.copyOf(Objects.requireNonNull(subscribeDeny));
    }

    public static PeerPolicy of(List<String> allow, List<String> deny, int maxTracks, int maxKbps) {
        return new PeerPolicy(allow, deny, maxTracks, maxKbps, true);
    }
}
