package dev.chorus.media.sfu;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SessionDescription;

/**
 * The header extensions negotiated on a publish transport: publisher id → the id the SFU uses towards subscribers
 * (0: not forwarded), the transport-cc id and the audio-level id (RFC 6464, read for active speaker detection). Immutable once built (made by {@link PublishNegotiation}, read by the
 * worker per packet).
 */
final class HeaderExtensionMap {
    static final String TWCC_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    static final String ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    static final HeaderExtensionMap NONE = new HeaderExtensionMap(new byte[256], -1);

    /** Publisher header extension id → the subscriber's id (0: dropped). */
    final byte[] pubToSub;
    final int transportCcId;
    /** The publisher's id of the ssrc-audio-level extension, or -1. */
    final int audioLevelId;

    HeaderExtensionMap(byte[] pubToSub, int transportCcId) {
        this(pubToSub, transportCcId, -1);
    }

    HeaderExtensionMap(byte[] pubToSub, int transportCcId, int audioLevelId) {
        this.pubToSub = pubToSub;
        this.transportCcId = transportCcId;
        this.audioLevelId = audioLevelId;
    }

    static HeaderExtensionMap of(SessionDescription answer) {
        byte[] map = new byte[256];
        int twcc = -1;
        int audioLevel = -1;
        for (MediaDescription am : answer.media()) {
            for (Sdp.Extmap e : am.extmaps()) {
                if (e.id() <= 0 || e.id() > 255) continue;
                switch (e.uri()) {
                    case TWCC_URI -> {
                        twcc = e.id();
                        map[e.id()] = Consumer.SUB_EXT_TRANSPORT_CC;
                    }
                    case AUDIO_LEVEL_URI -> {
                        audioLevel = e.id();
                        map[e.id()] = Consumer.SUB_EXT_AUDIO_LEVEL;
                    }
                    case ABS_SEND_TIME_URI -> map[e.id()] = Consumer.SUB_EXT_ABS_SEND_TIME;
                    default -> { }
                }
            }
        }
        return new HeaderExtensionMap(map, twcc, audioLevel);
    }

    /** The subscriber's answer: which of the SFU's extension ids it accepted (bit per id). */
    static int acceptedMask(SessionDescription answer) {
        int mask = 0;
        for (MediaDescription am : answer.media()) {
            for (Sdp.Extmap e : am.extmaps()) {
                if (e.id() > 0 && e.id() < 15) {
                    switch (e.uri()) {
                        case TWCC_URI -> mask |= 1 << Consumer.SUB_EXT_TRANSPORT_CC;
                        case AUDIO_LEVEL_URI -> mask |= 1 << Consumer.SUB_EXT_AUDIO_LEVEL;
                        case ABS_SEND_TIME_URI -> mask |= 1 << Consumer.SUB_EXT_ABS_SEND_TIME;
                        default -> { }
                    }
                }
            }
        }
        return mask;
    }
}
