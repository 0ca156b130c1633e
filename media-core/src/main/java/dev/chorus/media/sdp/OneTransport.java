package dev.chorus.media.sdp;

import java.util.Collection;
import java.util.List;

/**
 * Chorus runs one ICE/DTLS transport per peer connection (RFC 8843 BUNDLE with rtcp-mux): every media section in use
 * must travel on it. A description that puts two used sections on separate transports (no BUNDLE group, or a group
 * leaving some out: a client with {@code bundlePolicy: "disable"}) is refused with this reason rather than answered
 * as if bundled, where the sections outside the group would wait forever for a transport the SFU never opens. One
 * section alone needs no BUNDLE group.
 *
 * <p>Why refuse rather than open a transport per section: every browser bundles by default, and a client that can
 * disable BUNDLE can also enable it; per-section transports would multiply ICE, DTLS and SRTP state per participant
 * for no client a production SFU needs to serve (docs/interop.md, finding A).
 */
public final class OneTransport {
    private OneTransport() { }

    /**
     * @param description the offer or answer
     * @param usedMids the mids of the sections that carry media (not rejected)
     * @param what names the description in the reason, e.g. "publish offer"
     * @throws SdpNegotiationException if more than one used section is outside a single BUNDLE group
     */
    public static void require(SessionDescription description, Collection<String> usedMids, String what)
            throws SdpNegotiationException {
        if (usedMids.size() <= 1) return;
        List<String> bundled = description.bundleGroup().map(Sdp.Group::mids).orElse(List.of());
        List<String> outside = usedMids.stream().filter(m -> !bundled.contains(m)).toList();
        if (outside.isEmpty()) return;
        throw new SdpNegotiationException(what + " puts media sections " + String.join(", ", usedMids)
                + " on separate transports (" + (bundled.isEmpty() ? "no BUNDLE group" : "not bundled: "
                + String.join(", ", outside)) + "); Chorus needs every section in one BUNDLE group "
                + "(RTCPeerConnection bundlePolicy \"max-bundle\" or \"balanced\")");
    }
}
