package dev.chorus.media.sfu;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;

/**
 * The RTP header extensions negotiated on one m-section: id → URI. Per section, not per transport, because one
 * BUNDLE may use the same id for different extensions in different sections (aiortc: abs-send-time on video and
 * audio-level on audio under one id). Immutable.
 */
final class SectionExtensions {
    static final String TWCC_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    static final String ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
    static final String RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    static final String RRID_URI = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    /** RFC 6904 header encryption: the SRTP layer does not do it, so it is never negotiated. */
    static final String ENCRYPT_URI = "urn:ietf:params:rtp-hdrext:encrypt";
    static final SectionExtensions NONE = new SectionExtensions(new String[256]);

    private final String[] uriById;

    private SectionExtensions(String[] uriById) {
        this.uriById = uriById;
    }

    static SectionExtensions of(MediaDescription m) {
        if (m == null) return NONE;
        String[] byId = new String[256];
        for (Sdp.Extmap e : m.extmaps()) {
            if (e.id() > 0 && e.id() < 256 && e.id() != 15) byId[e.id()] = e.uri();
        }
        return new SectionExtensions(byId);
    }

    /** The URI negotiated under {@code id}, or null. */
    String uri(int id) {
        return id > 0 && id < 256 ? uriById[id] : null;
    }

    /** The id negotiated for {@code uri}, or 0. */
    int idOf(String uri) {
        for (int id = 1; id < 256; id++) {
            if (uri.equals(uriById[id])) return id;
        }
        return 0;
    }

    /**
     * Whether a publisher's extension is forwarded (under the subscriber's id) when both sides negotiated it: all but
     * the ones naming the publisher's own sections and encodings (mid, rid, repaired rid), which mean nothing, or
     * something wrong, on the subscriber's transport. Unknown extensions are forwarded byte-equal.
     */
    static boolean forwardable(String uri) {
        return !uri.equals(MID_URI) && !uri.equals(RID_URI) && !uri.equals(RRID_URI) && !uri.startsWith(ENCRYPT_URI);
    }
}
